/** The dispatch loop's settings (loop.ts) and the callback retry schedule (retry-policy.ts). */
import { ConfigError, decimal, integer, type Env } from '../ops/env.js';
import type { RetryConfig } from '../model/retry.js';
import { defaultAccountShare } from './account-share.js';
import type { BreakerOptions } from './breaker.js';


export interface DispatchConfig {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** In-flight attempts per destination (origin, queue, the SMTP relay) in one process. */
  perDestinationConcurrency: number;
  /** In-flight attempts in one process across all destinations. */
  maxInFlight: number;
  /**
   * Fair share (account-share.ts): slots every account is guaranteed in one process. An account
   * holding more may take another only while more than this many stay free, so its slow or dead
   * destinations cannot take the others' slots. Absent: a quarter of maxInFlight, at least
   * perDestinationConcurrency.
   */
  accountMaxInFlight?: number;
  /** Callbacks claimed per round trip to the store. */
  claimBatch: number;
  /** Idle poll interval; new outbox rows wake the loop sooner. */
  pollMs: number;
  /** How long a claim holds a callback; a process that dies frees its callbacks after this. */
  leaseMs: number;
  retry: RetryConfig;
  /** The circuit breaker per destination (breaker.ts). */
  breaker: BreakerOptions;
}

export function readDispatchOptions(env: Env): DispatchConfig {
  const connectTimeoutMs = integer(env, 'CONNECT_TIMEOUT_MS', 3_000, { min: 1 });
  const responseTimeoutMs = integer(env, 'RESPONSE_TIMEOUT_MS', 15_000, { min: 1 });
  const attemptMs = connectTimeoutMs + responseTimeoutMs;
  // Outlives the slowest attempt plus one wait in a destination's local queue.
  const leaseMs = integer(env, 'LEASE_MS', 2 * attemptMs + 30_000, { min: 1 });
  // A lease that ends during an attempt lets the callback be claimed and sent again meanwhile.
  if (leaseMs <= attemptMs) {
    throw new ConfigError('LEASE_MS', `must be greater than CONNECT_TIMEOUT_MS + RESPONSE_TIMEOUT_MS (${attemptMs})`, String(leaseMs));
  }
  const perDestinationConcurrency = integer(env, 'DESTINATION_CONCURRENCY', 64, { min: 1 });
  const maxInFlight = integer(env, 'MAX_IN_FLIGHT', 1_024, { min: 1 });
  return {
    connectTimeoutMs,
    responseTimeoutMs,
    perDestinationConcurrency,
    maxInFlight,
    accountMaxInFlight: integer(env, 'ACCOUNT_MAX_IN_FLIGHT', defaultAccountShare(perDestinationConcurrency, maxInFlight), { min: 1 }),
    claimBatch: integer(env, 'CLAIM_BATCH', 256, { min: 1 }),
    pollMs: integer(env, 'DISPATCH_POLL_MS', 1_000, { min: 1 }),
    leaseMs,
    retry: {
      baseMs: integer(env, 'RETRY_BASE_MS', 5_000, { min: 1 }),
      capMs: integer(env, 'RETRY_CAP_MS', 15 * 60_000, { min: 1 }),
      windowMs: integer(env, 'RETRY_WINDOW_MS', 24 * 3_600_000, { min: 1 }),
      jitter: decimal(env, 'RETRY_JITTER', 0.2, 0, 1),
    },
    breaker: {
      threshold: integer(env, 'DESTINATION_BREAKER_FAILURES', 10, { min: 0 }),
      firstOpenMs: 1_000,
      maxOpenMs: integer(env, 'DESTINATION_BREAKER_MAX_MS', 60_000, { min: 1_000 }),
    },
  };
}

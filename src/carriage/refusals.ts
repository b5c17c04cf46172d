/**
 * Provider input that cannot be applied is never silently dropped and never guessed at:
 * it is counted and logged with its reason, and where it could still matter later (an unknown
 * message id, an unreadable receipt) kept in the store's parked reports for operators.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Metrics } from '../ops/metrics.js';

export interface RefusalDeps {
  store: Store;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

export interface Refusals {
  /** Counts and logs refused input (bad signature, broken JSON): the sender is told no. */
  refuse(source: string, reason: string, detail: string): void;
  /** Counts, logs and stores input that was accepted but could not be applied. */
  park(source: string, reason: string, detail: string, payload: string, providerRef?: string): Promise<void>;
}

export function createRefusals(deps: RefusalDeps): Refusals {
  return {
    refuse(source, reason, detail) {
      deps.metrics.providerInputRefused.inc({ source, reason });
      deps.logger.warn({ source, reason, detail }, 'provider input refused');
    },
    async park(source, reason, detail, payload, providerRef) {
      deps.metrics.providerInputRefused.inc({ source, reason });
      deps.logger.warn({ source, reason, detail, providerRef }, 'provider input parked');
      await deps.store.parkReport({
        id: deps.newId(),
        source,
        reason: `${reason}: ${detail}`,
        ...(providerRef !== undefined ? { provider_ref: providerRef } : {}),
        payload,
        received_at: deps.now(),
      });
    },
  };
}

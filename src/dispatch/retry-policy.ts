/**
 * When a callback attempt counts as delivered, when it is tried again and when it is given up
 * (README, "Callbacks"). Pure: time and randomness come in as arguments, so the schedule can be
 * tested exactly. The HTTP rules and the backoff shared with the provider connectors are in
 * model/retry.ts.
 */
import { RETRYABLE_ERROR_CODES, backoffMs, classifyErrorCode, classifyHttpStatus, type RetryConfig, type Verdict } from '../model/retry.js';

export type Outcome = Verdict | 'dead';

export interface AttemptFacts {
  /** Attempts made so far, including the one just finished. */
  attempts: number;
  createdAt: number;
  now: number;
  verdict: Verdict;
  /** The receiver's Retry-After, already converted to ms from now. */
  retryAfterMs?: number;
}

export interface Decision {
  outcome: Outcome;
  /** For outcome `retry`: when the next attempt is due (epoch ms). */
  nextAttemptAt?: number;
}

/** Turns an attempt's verdict into the callback's next state. */
export function decideNext(facts: AttemptFacts, retry: RetryConfig, random: number): Decision {
  if (facts.verdict !== 'retry') return { outcome: facts.verdict };
  // A receiver's Retry-After is honoured as asked (no jitter), but never longer than the cap.
  const wait =
    facts.retryAfterMs !== undefined
      ? Math.min(Math.max(0, facts.retryAfterMs), retry.capMs)
      : backoffMs(facts.attempts, retry, random);
  const nextAttemptAt = facts.now + wait;
  // Past the window the callback is dead-lettered: kept and replayable, no longer retried.
  if (nextAttemptAt > facts.createdAt + retry.windowMs) return { outcome: 'dead' };
  return { outcome: 'retry', nextAttemptAt };
}

/**
 * SMTP (RFC 5321): a 4xx reply is temporary by definition, a 5xx reply permanent. The relay
 * refusing our own credentials (EAUTH, 535) is the exception: that is the operator's setting,
 * not the callback's fault, and can be fixed within the retry window, so it is retried.
 * Failures without a reply (connection, timeout, DNS, TLS) are retried like HTTP transport errors.
 */
export const RETRYABLE_SMTP_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EAUTH', 'EPROTOCOL', 'EMAXLIMIT',
  ...RETRYABLE_ERROR_CODES,
]);

export function classifySmtpFailure(replyCode: number | undefined, errorCode: string | undefined): Verdict {
  if (errorCode === 'EAUTH') return 'retry';
  if (replyCode !== undefined && replyCode >= 400 && replyCode < 600) return replyCode < 500 ? 'retry' : 'failed';
  return errorCode !== undefined && RETRYABLE_SMTP_ERROR_CODES.has(errorCode) ? 'retry' : 'failed';
}

/**
 * Amazon SQS: throttling and server-side errors are retried; everything the service blames on
 * the sender (access denied, no such queue, invalid message) is final. `senderFault` is the
 * service's own verdict on a batch entry.
 */
export const RETRYABLE_SQS_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException', 'RequestThrottled', 'Throttling', 'TooManyRequestsException',
  'KmsThrottled', 'ServiceUnavailable', 'InternalError', 'InternalFailure', 'RequestTimeout', 'TimeoutError',
]);

export function classifySqsFailure(facts: { name?: string; httpStatus?: number; senderFault?: boolean; errorCode?: string }): Verdict {
  if (facts.name !== undefined && RETRYABLE_SQS_ERRORS.has(facts.name)) return 'retry';
  if (facts.httpStatus !== undefined) return classifyHttpStatus(facts.httpStatus) === 'retry' ? 'retry' : 'failed';
  if (facts.senderFault !== undefined) return facts.senderFault ? 'failed' : 'retry';
  // No answer from the service at all: a transport error.
  return classifyErrorCode(facts.errorCode);
}

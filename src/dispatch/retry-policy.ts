/**
 * When a callback attempt counts as delivered, when it is tried again and when it is given up
 * (design.md section 4, "Delivery semantics"). Pure: time and randomness come in as arguments,
 * so the schedule can be tested exactly.
 */
import type { RetryConfig } from '../config.js';

/** What one attempt says about the callback, before the retry window is taken into account. */
export type Verdict = 'delivered' | 'retry' | 'failed';
export type Outcome = Verdict | 'dead';

/** Any 2xx acknowledges; 429 and 5xx are worth another try; every other answer is final. */
export function classifyHttpStatus(code: number): Verdict {
  if (code >= 200 && code < 300) return 'delivered';
  if (code === 429 || (code >= 500 && code < 600)) return 'retry';
  // 1xx, 3xx (redirects are not followed: the customer must configure the final URL), other 4xx.
  return 'failed';
}

/**
 * Error codes of failures on the way to the receiver: timeouts, refused or dropped connections,
 * DNS trouble. They say nothing about the callback itself, so it is tried again. TLS certificate
 * problems are included because the customer can fix them within the retry window.
 */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  // undici
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_ABORTED',
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE',
  // node:net / node:dns
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  // TLS
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Transport errors in the table are retried; anything else (a bad URL, a bug) is final. */
export function classifyErrorCode(code: string | undefined): Verdict {
  return code !== undefined && RETRYABLE_ERROR_CODES.has(code) ? 'retry' : 'failed';
}

/**
 * The wait before the next attempt, after `attempt` attempts have failed (1 = first retry):
 * baseMs doubled per attempt, capped at capMs, then spread by ±jitter so that callbacks that
 * failed together do not all come back at the same moment.
 */
export function backoffMs(attempt: number, retry: RetryConfig, random: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const interval = Math.min(retry.baseMs * 2 ** exponent, retry.capMs);
  const jittered = interval * (1 + retry.jitter * (2 * random - 1));
  return Math.max(0, Math.round(jittered));
}

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

/** Retry-After as delay-seconds or an HTTP-date, in ms from `now`; undefined if absent or invalid. */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only a date with letters in it: Date.parse would also accept things like "-1" or "1.5".
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
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

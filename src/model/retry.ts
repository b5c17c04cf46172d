/**
 * Retry rules shared by everything that calls out over the network (callback senders, provider
 * connectors): which HTTP answers and transport errors are worth another try, and the backoff.
 * Pure: time and randomness come in as arguments.
 */

/** A backoff schedule: the first wait, doubling up to a cap, spread by jitter, within a window. */
export interface RetryConfig {
  /** First retry after this many ms; each further retry doubles it. */
  baseMs: number;
  /** The interval never grows past this. */
  capMs: number;
  /** After this long since the callback was created it is dead-lettered. */
  windowMs: number;
  /** Fraction of each interval drawn at random (0.2 = ±20%). */
  jitter: number;
}

/** What one attempt says about the callback, before the retry window is taken into account. */
export type Verdict = 'delivered' | 'retry' | 'failed';

/** Any 2xx acknowledges; 429 and 5xx are worth another try; every other answer is final. */
export function classifyHttpStatus(code: number): Verdict {
  if (code >= 200 && code < 300) return 'delivered';
  // 3xx: redirects are never followed (the destination guard); the receiver may be moving and
  // come back, so they are retried and the Location is shown in the attempt log.
  if (code === 429 || (code >= 300 && code < 400) || (code >= 500 && code < 600)) return 'retry';
  // 1xx, other 4xx.
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


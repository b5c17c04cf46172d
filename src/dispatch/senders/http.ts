/**
 * Delivers callbacks to HTTP(S) URLs: one signed POST per attempt, carrying one callback, or for
 * a batched destination the callbacks the batcher gathered. Never throws; every failure becomes
 * a verdict the retry policy understands, with a short reason for the attempt log.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'undici';
import type { ClaimedCallback } from '../../store/store.js';
import { classifyErrorCode, parseRetryAfter, type Verdict } from '../../model/retry.js';
import { batchRenderer, judgeHttpAnswer } from '../formats.js';
import { signCallback } from '../signing.js';
import { createBatcher, type Batch, type BatchShare } from '../batcher.js';
import type { BodyFormatName } from '../../model/destination.js';
import type { Signing } from '../../store/store.js';
import { createAddressPolicy, DESTINATION_NOT_ALLOWED, type AddressPolicy } from '../../model/address.js';
import { DESTINATION_REFUSED_CODE, guardedConnector } from './destination-guard.js';

export interface SendOutcome {
  verdict: Verdict;
  statusCode?: number;
  error?: string;
  /** The receiver's Retry-After in ms, if it sent one with a retryable answer. */
  retryAfterMs?: number;
  durationMs: number;
  /** Set when the attempt was a batch: shared by all its members. */
  batch?: BatchShare;
}

export interface HttpSenderOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** Sockets per origin; dispatch limits in-flight attempts per origin to the same number. */
  connectionsPerOrigin: number;
  /** `iss` claim of the JWT. */
  issuer: string;
  /** The destination guard; without one, every non-public address is refused (no allowlist). */
  addressPolicy?: AddressPolicy;
  /** Called once per batched POST with its item count and outcome (metrics). */
  onBatch?: (items: number, verdict: Verdict) => void;
}

/** One POST: a callback's body, or a batch's. */
interface Post {
  url: string;
  format: BodyFormatName;
  contentType: string;
  body: string;
  /** The `webhook-id`: the callback id, or the batch id. */
  webhookId: string;
  signing: Signing;
}

export interface HttpSender {
  send(callback: ClaimedCallback, now: number): Promise<SendOutcome>;
  close(): Promise<void>;
}

const USER_AGENT = 'statusrelay/0.1';
/** The longest error text kept for the attempt log. */
const SNIPPET_CHARS = 200;
/** How much of an answer is kept for judging it and for the snippet. */
const KEPT_BYTES = 4096;
/** Reading stops here; beyond it the socket is dropped rather than drained. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** Readable names for the errors that happen most; other errors are logged by their code. */
const ERROR_TEXT: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'response timeout',
  UND_ERR_BODY_TIMEOUT: 'response body timeout',
  UND_ERR_SOCKET: 'socket closed',
};

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  // One pool per origin, keep-alive by default: a busy customer endpoint reuses its sockets.
  // undici's response timers tick about once a second, so a response timeout fires up to ~1 s late.
  // Every connection goes through the destination guard: the address connected to is the one checked.
  const agent = new Agent({
    connect: guardedConnector(options.addressPolicy ?? createAddressPolicy(), { timeout: options.connectTimeoutMs }),
    headersTimeout: options.responseTimeoutMs,
    bodyTimeout: options.responseTimeoutMs,
    connections: options.connectionsPerOrigin,
  });

  const batcher = createBatcher(async ({ share, members, now }: Batch): Promise<SendOutcome> => {
    const first = members[0]!;
    const outcome = await post(
      {
        url: (first.destination as { url: string }).url,
        format: first.format,
        contentType: first.content_type,
        body: batchRenderer(first.format)!(members.map((member) => member.body)),
        webhookId: share.id,
        signing: first.signing,
      },
      now,
    );
    options.onBatch?.(members.length, outcome.verdict);
    return { ...outcome, batch: share };
  });

  async function send(callback: ClaimedCallback, now: number): Promise<SendOutcome> {
    const { destination } = callback;
    if (destination.type !== 'url') {
      return { verdict: 'failed', error: `not an HTTP destination: ${destination.type}`, durationMs: 0 };
    }
    // Formats without a batch form (model/interfaces.ts gives batches only to json and xml) go singly.
    if (destination.batch && batchRenderer(callback.format)) return batcher.add(callback, destination.batch, now);
    const { id: webhookId, format, content_type: contentType, body, signing } = callback;
    return post({ url: destination.url, format, contentType, body, webhookId, signing }, now);
  }

  async function post(target: Post, now: number): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const signed = signCallback({
        body: target.body,
        callbackId: target.webhookId,
        now,
        jti: randomUUID(),
        signing: target.signing,
        issuer: options.issuer,
      });
      const response = await request(target.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': target.contentType, 'user-agent': USER_AGENT, ...signed },
        body: target.body,
      });
      const statusCode = response.statusCode;
      const redirect = statusCode >= 300 && statusCode < 400;
      // The body is always read so the socket goes back to the pool; it matters to formats whose
      // receivers acknowledge in the body (websms: statusCode 2000). Its text is never shown to
      // the tenant (it may come from an internal service): only the status and its reason phrase.
      // Redirects are never followed (the target could be anywhere); they are retried like 5xx.
      const judged = judgeHttpAnswer(target.format, statusCode, await readAnswer(response.body));
      const verdict = judged.verdict;
      if (verdict === 'delivered') return { verdict, statusCode, durationMs: elapsed() };

      const location = redirect ? sanitize(firstHeader(response.headers.location)) : '';
      const reason = `HTTP ${statusCode}${STATUS_CODES[statusCode] ? ` ${STATUS_CODES[statusCode]}` : ''}`;
      const error = redirect
        ? `HTTP ${statusCode} redirect${location ? ` to ${location}` : ''} (not followed)`
        : judged.error ? `${reason} (${sanitize(judged.error)})` : reason;
      const outcome: SendOutcome = { verdict, statusCode, error, durationMs: elapsed() };
      if (verdict === 'retry') {
        const header = response.headers['retry-after'];
        const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, now + elapsed());
        if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
      }
      return outcome;
    } catch (err) {
      const code = errorCode(err);
      if (code === DESTINATION_REFUSED_CODE) return { verdict: 'failed', error: DESTINATION_NOT_ALLOWED, durationMs: elapsed() };
      const error = (code && ERROR_TEXT[code]) ?? code ?? shorten(String((err as Error)?.message ?? err));
      return { verdict: classifyErrorCode(code), error, durationMs: elapsed() };
    }
  }

  return {
    send,
    close: () => {
      batcher.flushAll();
      return agent.close();
    },
  };
}

/**
 * Reads the response body: the first KEPT_BYTES kept (enough for an acknowledgement body), the
 * rest discarded. A failure while reading keeps what arrived.
 */
async function readAnswer(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let readBytes = 0;
  try {
    for await (const chunk of body) {
      readBytes += chunk.length;
      if (keptBytes < KEPT_BYTES) {
        kept.push(chunk);
        keptBytes += chunk.length;
      }
      if (readBytes > DRAIN_LIMIT_BYTES) {
        body.destroy();
        break;
      }
    }
  } catch {
    // Timeout or reset mid-body: the status code has answered.
  }
  return Buffer.concat(kept).subarray(0, KEPT_BYTES).toString('utf8');
}

function firstHeader(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Printable ASCII only, shortened: safe to show in the attempt log. */
function sanitize(text: string): string {
  return shorten(text.replace(/[^\x20-\x7e]/g, '?'));
}

function shorten(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
}

/** The error code of a failed request; undici sometimes wraps the socket error. */
function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

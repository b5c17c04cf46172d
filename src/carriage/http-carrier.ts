/**
 * The sending half of an HTTP provider (WhatsApp Cloud API, upstream Messages API, websms): one POST
 * per message. A 2xx hands the message over (its id becomes provider_ref, then `submitted`);
 * a refusal rejects it with the provider's reason mapped to a code; 429, 5xx and network
 * failures are retried with backoff (the same schedule function as callbacks) until the
 * patience runs out, then the message is undeliverable: the platform could not reach the
 * provider. Nothing here throws into the caller.
 */
import { Agent, request } from 'undici';
import type { Carrier } from './carrier.js';
import type { Message } from '../model/types.js';
import type { ProviderHttpConfig } from './options.js';
import type { ConnectorDeps } from './deps.js';
import { failureReport } from './deps.js';
import type { EarlyReports } from './early-reports.js';
import type { ParkedReplay } from './parked-replay.js';
import { backoffMs, classifyErrorCode, classifyHttpStatus, parseRetryAfter } from '../model/retry.js';
import type { TimerHandle } from '../model/clock.js';

export interface HttpSubmission {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface HttpProviderSpec {
  name: string;
  request(message: Message): HttpSubmission;
  /** The provider's id for the message in a 2xx answer. */
  providerId(answer: unknown): string | undefined;
  /** The error code of a refusal (a 4xx other than 429). */
  refusalCode(status: number, answer: unknown): number;
  /**
   * Whether the provider's own `submitted` is the one to forward for this message, because it
   * carries what only the provider knows (price, network): handing over then records none of ours.
   */
  reportsSubmitted?(message: Message): boolean;
  /** For providers that answer 2xx whatever happened and say it in the body; undefined = accepted. */
  refusedIn2xx?(answer: unknown): { kind: 'retry' } | { kind: 'rejected' | 'undeliverable'; code: number } | undefined;
}

/** Our own credentials refused: no use retrying, and not the message's fault. */
const AUTH_FAILURES = new Set([401, 403]);

async function readJson(body: { text(): Promise<string> }): Promise<unknown> {
  try {
    return JSON.parse(await body.text());
  } catch {
    return undefined;
  }
}

/** Whether the provider has the message and its `submitted` is recorded or is the provider's own to report. */
export function handedOver(spec: Pick<HttpProviderSpec, 'reportsSubmitted'> | undefined, message: Message): boolean {
  return message.provider_ref !== undefined && (message.state !== 'accepted' || spec?.reportsSubmitted?.(message) === true);
}

export function createHttpCarrier(
  spec: HttpProviderSpec,
  config: ProviderHttpConfig,
  deps: ConnectorDeps,
  early: EarlyReports,
  replay: ParkedReplay,
): Carrier {
  const agent = new Agent({ connect: { timeout: config.timeoutMs }, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  const { clock } = deps;
  const timers = new Set<TimerHandle>();
  let stopped = false;
  async function fail(uuid: string, status: 'rejected' | 'undeliverable', code: number): Promise<void> {
    deps.metrics.providerSubmits.inc({ source: spec.name, outcome: status });
    await deps.report(failureReport(deps, spec.name, uuid, status, code));
  }

  async function handOver(message: Message, id: string | undefined): Promise<void> {
    deps.metrics.providerSubmits.inc({ source: spec.name, outcome: 'accepted' });
    if (id === undefined) deps.logger.warn({ provider: spec.name, message_uuid: message.uuid }, 'provider accepted a message without naming its id');
    else await deps.store.setProviderRef(message.uuid, id);
    if (!spec.reportsSubmitted?.(message)) await ownSubmitted(message);
    // Only now may webhooks that overtook this answer be applied: they come after `submitted`.
    if (id !== undefined) {
      early.announce(id);
      replay.known([id]);
    }
  }

  function ownSubmitted(message: Message) {
    return deps.report({ message_uuid: message.uuid, status: 'submitted', occurred_at: clock.now(), source: spec.name });
  }

  async function attempt(message: Message, number: number, firstAt: number): Promise<void> {
    if (stopped) return;
    let retryAfterMs: number | undefined;
    try {
      const submission = spec.request(message);
      const response = await request(submission.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...submission.headers },
        body: JSON.stringify(submission.body),
      });
      const answer = await readJson(response.body);
      const verdict = classifyHttpStatus(response.statusCode);
      const refused = verdict === 'delivered' ? spec.refusedIn2xx?.(answer) : undefined;
      if (verdict === 'delivered' && !refused) return await handOver(message, spec.providerId(answer));
      if (refused && refused.kind !== 'retry') return await fail(message.uuid, refused.kind, refused.code);
      if (AUTH_FAILURES.has(response.statusCode)) {
        deps.logger.error({ provider: spec.name, status: response.statusCode }, 'provider refused our credentials');
        return await fail(message.uuid, 'undeliverable', 1331);
      }
      if (verdict === 'failed') return await fail(message.uuid, 'rejected', spec.refusalCode(response.statusCode, answer));
      const header = response.headers['retry-after'];
      retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, clock.now());
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (classifyErrorCode(code) === 'failed') deps.logger.warn({ err: error, provider: spec.name }, 'provider request failed');
    }
    deps.metrics.providerSubmits.inc({ source: spec.name, outcome: 'retry' });
    const wait = retryAfterMs ?? backoffMs(number, config.retry, clock.random());
    if (clock.now() + wait - firstAt > config.patienceMs) return fail(message.uuid, 'undeliverable', 1331);
    const timer = clock.setTimeout(() => {
      timers.delete(timer);
      attempt(message, number + 1, firstAt).catch(deps.onError);
    }, wait);
    timers.add(timer);
  }

  const submit = (message: Message) => void attempt(message, 1, clock.now()).catch(deps.onError);
  return {
    name: spec.name,
    submit,
    resume(message) {
      // Handed over before the restart: its webhooks will come. Otherwise send it (again).
      const ref = message.provider_ref;
      if (ref === undefined) return submit(message);
      const submitted = message.state === 'accepted' && !spec.reportsSubmitted?.(message) ? ownSubmitted(message) : Promise.resolve();
      submitted.then(() => replay.known([ref])).catch(deps.onError);
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clock.clearTimeout(timer);
      timers.clear();
      early.stop();
      await agent.close();
    },
  };
}

/**
 * What the provider webhooks share: raw body access (signatures are over the exact bytes, so
 * these routes get the body as a Buffer in their own Fastify context, leaving the JSON parser
 * of the rest of the API alone), refusing every request when the provider is not configured,
 * and applying normalized statuses: matched by provider id (waiting briefly for an id not yet
 * stored), recorded, and only then acknowledged.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Message, ProviderReport } from '../model/types.js';
import type { ConnectorDeps } from './deps.js';
import type { EarlyReports } from './early-reports.js';
import type { ParkedReplay, ReplayPlan } from './parked-replay.js';
import { ProblemError } from '../http/problems.js';

/** One provider status after normalization: a report for the message behind `ref`, or why not. */
export type NormalizedStatus =
  | { ok: true; ref: string; report: Omit<ProviderReport, 'message_uuid'> }
  | { ok: false; reason: string; detail: string; ref?: string };

/**
 * A value from a provider's JSON for a log or parking detail: JSON text, never String(v), which
 * throws for an object like {"toString": 1}.
 */
export function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/**
 * Normalizes one status of a batch; a status the normalizer cannot read is parked as malformed
 * instead of failing the whole batch (the provider would resend all of it, forever).
 */
export function normalizeSafely(normalize: () => NormalizedStatus): NormalizedStatus {
  try {
    return normalize();
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: `unreadable status: ${(error as Error)?.message ?? 'error'}`.slice(0, 200) };
  }
}

/** A Fastify plugin whose routes receive the raw body; `routes` is undefined when the provider is not configured. */
export function rawBodyWebhook(
  provider: string,
  paths: string[],
  routes: ((app: FastifyInstance) => void) | undefined,
): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    if (routes) return routes(app);
    const refuse = async () => {
      throw new ProblemError('provider-not-configured', { detail: `${provider} is not configured on this relay; its webhooks are refused.` });
    };
    for (const path of paths) app.all(path, refuse);
  };
}

export function rawBody(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** Parses a verified body; broken JSON is refused (400) and counted. */
export function parseJson(source: string, raw: Buffer, deps: Pick<ConnectorDeps, 'refusals'>): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    deps.refusals.refuse(source, 'broken-json', `${raw.length} bytes that are not JSON`);
    throw new ProblemError('malformed-json', { detail: 'The request body is not valid JSON.' });
  }
}

/**
 * Records every status (in order per message: the lifecycle sorts out the rest) and resolves
 * when all are stored or parked. Unknown ids and unmappable statuses are parked, and statuses
 * the lifecycle refuses as invalid for the channel are counted: none of them is an error the
 * provider could fix by sending again, so the webhook is still acknowledged.
 */
export async function applyStatuses(
  source: string,
  statuses: Array<{ status: NormalizedStatus; raw: unknown }>,
  deps: ConnectorDeps,
  early: EarlyReports,
  replay: ParkedReplay,
): Promise<void> {
  await Promise.all(
    statuses.map(async ({ status, raw }) => {
      const payload = JSON.stringify(raw);
      if (!status.ok) return deps.refusals.park(source, status.reason, status.detail, payload, status.ref);
      const { ref } = status;
      const message = await early.lookup(ref, () => deps.store.findByProviderRef(ref));
      if (!message) return replay.park(ref, `no message with ${source} id ${ref}`, payload);
      await record(source, status, message.uuid, deps);
    }),
  );
}

async function record(source: string, status: Extract<NormalizedStatus, { ok: true }>, uuid: string, deps: ConnectorDeps): Promise<void> {
  const result = await deps.report({ ...status.report, message_uuid: uuid });
  if (result.verdict === 'invalid') deps.refusals.refuse(source, 'invalid-status', result.reason ?? status.report.status);
}

/**
 * How a webhook provider's parked statuses are applied later: normalized again from the payload
 * as parked, matched by id. `handedOver` says whether the message's `submitted` is recorded (or
 * is the provider's own to report), so a parked status never lands before it.
 */
export function webhookReplayPlan(
  source: string,
  deps: ConnectorDeps,
  normalize: (raw: unknown) => NormalizedStatus,
  handedOver: (message: Message) => boolean,
): ReplayPlan {
  return {
    async isKnown(ref) {
      const message = await deps.store.findByProviderRef(ref);
      return message !== undefined && handedOver(message);
    },
    async apply(payload) {
      const status = normalizeSafely(() => normalize(JSON.parse(payload)));
      const message = status.ok ? await deps.store.findByProviderRef(status.ref) : undefined;
      if (status.ok && message) await record(source, status, message.uuid, deps);
    },
  };
}

/**
 * POST /v1/providers/websms/{secret} (or /v1/providers/websms with HTTP Basic, the secret as
 * password): websms delivery reports. websms does not sign them, so the secret is the guard.
 * Answers as every websms webhook receiver does: `{"statusCode":2000,"statusMessage":"OK"}`
 * once the report is stored or parked; 401 / 4001 for a wrong secret, 400 / 4000 for a body that
 * is not a readable delivery report (both counted and logged with their reason).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorDeps } from '../deps.js';
import { errorOf } from '../deps.js';
import type { EarlyReports } from '../early-reports.js';
import type { ParkedReplay } from '../parked-replay.js';
import type { WebsmsConfig } from './options.js';
import { applyStatuses, rawBody, rawBodyWebhook, type NormalizedStatus } from '../webhook.js';
import { sameSecret } from '../../model/same-secret.js';
import { normalizeReport, reportProblem } from './reports.js';

export const WEBSMS_REPORT_PATH = '/v1/providers/websms';

/** One delivery report as a normalized status; progress only (`undelivered`) normalizes to nothing to apply. */
export function websmsNormalizer(deps: ConnectorDeps) {
  return (raw: unknown): NormalizedStatus =>
    normalizeReport(raw, deps.clock.now(), (code) => errorOf(deps, code)) ?? { ok: false, reason: 'progress', detail: 'undelivered' };
}

function basicPassword(authorization: string | undefined): string | undefined {
  const encoded = /^Basic (.+)$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export function websmsWebhook(config: WebsmsConfig | undefined, deps: ConnectorDeps, early: EarlyReports, replay: ParkedReplay) {
  const paths = [WEBSMS_REPORT_PATH, `${WEBSMS_REPORT_PATH}/:secret`];
  return rawBodyWebhook('websms', paths, config && ((app) => {
    const answer = (reply: FastifyReply, http: number, statusCode: number, statusMessage: string) =>
      reply.code(http).type('application/json').send({ statusCode, statusMessage });

    const receive = async (request: FastifyRequest<{ Params: { secret?: string } }>, reply: FastifyReply) => {
      const given = request.params.secret ?? basicPassword(request.headers.authorization);
      if (!sameSecret(given, config.notificationSecret)) {
        deps.refusals.refuse('websms', given === undefined ? 'no-secret' : 'bad-secret', 'delivery report without the notification secret');
        return answer(reply, 401, 4001, 'invalid credentials');
      }
      const raw = rawBody(request.body);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        deps.refusals.refuse('websms', 'broken-json', `${raw.length} bytes that are not JSON`);
        return answer(reply, 400, 4000, 'the body is not JSON');
      }
      const problem = reportProblem(body);
      if (problem) {
        deps.refusals.refuse('websms', problem.reason, problem.detail);
        return answer(reply, 400, 4000, problem.detail);
      }
      const status = normalizeReport(body, deps.clock.now(), (code) => errorOf(deps, code));
      if (status) await applyStatuses('websms', [{ status, raw: body }], deps, early, replay);
      return answer(reply, 200, 2000, 'OK');
    };
    for (const path of paths) app.post(path, receive);
  }));
}

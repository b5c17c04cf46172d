/**
 * POST /v1/providers/whatsapp (status webhooks, X-Hub-Signature-256 = HMAC-SHA256 of the raw
 * body with the app secret) and GET /v1/providers/whatsapp (the subscription handshake).
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from '../../model/same-secret.js';
import type { WhatsAppConfig } from './options.js';
import type { ConnectorDeps } from '../deps.js';
import { errorOf } from '../deps.js';
import type { EarlyReports } from '../early-reports.js';
import type { ParkedReplay } from '../parked-replay.js';
import { ProblemError } from '../../http/problems.js';
import { applyStatuses, normalizeSafely, parseJson, rawBody, rawBodyWebhook } from '../webhook.js';
import { normalizeStatus, statusObjects } from './statuses.js';

const PATH = '/v1/providers/whatsapp';

export function signatureMatches(raw: Buffer, header: string | undefined, secret: string): boolean {
  return sameSecret(header ?? '', `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
}

/** One Cloud API status object as a normalized status. */
export function whatsappNormalizer(deps: ConnectorDeps) {
  return (raw: unknown) => normalizeSafely(() => normalizeStatus(raw, deps.clock.now(), (code) => errorOf(deps, code)));
}

export function whatsappWebhook(config: WhatsAppConfig | undefined, deps: ConnectorDeps, early: EarlyReports, replay: ParkedReplay) {
  const normalize = whatsappNormalizer(deps);
  return rawBodyWebhook('WhatsApp', [PATH], config && ((app) => {
    app.get<{ Querystring: Record<string, string> }>(PATH, async (request, reply) => {
      const query = request.query;
      if (query['hub.mode'] !== 'subscribe' || !sameSecret(query['hub.verify_token'], config.verifyToken)) {
        deps.refusals.refuse('whatsapp', 'bad-verify-token', 'subscription handshake with a wrong verify token');
        throw new ProblemError('unauthorized', { detail: 'hub.mode must be subscribe and hub.verify_token must match.' });
      }
      return reply.type('text/plain').send(query['hub.challenge'] ?? '');
    });

    app.post(PATH, async (request, reply) => {
      const raw = rawBody(request.body);
      const header = request.headers['x-hub-signature-256'];
      if (!signatureMatches(raw, Array.isArray(header) ? header[0] : header, config.appSecret)) {
        deps.refusals.refuse('whatsapp', header ? 'bad-signature' : 'no-signature', 'X-Hub-Signature-256 does not match the body');
        throw new ProblemError('unauthorized', { detail: 'X-Hub-Signature-256 is missing or does not match the body.' });
      }
      const body = parseJson('whatsapp', raw, deps);
      const statuses = statusObjects(body).map((status) => ({ raw: status, status: normalize(status) }));
      await applyStatuses('whatsapp', statuses, deps, early, replay);
      return reply.code(200).send({ received: statuses.length });
    });
  }));
}

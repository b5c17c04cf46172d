/**
 * POST /v1/providers/messages-api: the upstream's status callbacks, signed as ours are: a
 * Bearer JWT (HS256 with the signature secret) whose payload_hash is the SHA-256 of the body.
 */
import { createHash } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import type { UpstreamConfig } from './options.js';
import { sameSecret } from '../../model/same-secret.js';
import type { ConnectorDeps } from '../deps.js';
import { errorOf } from '../deps.js';
import type { EarlyReports } from '../early-reports.js';
import type { ParkedReplay } from '../parked-replay.js';
import { ProblemError } from '../../http/problems.js';
import { applyStatuses, normalizeSafely, parseJson, rawBody, rawBodyWebhook } from '../webhook.js';
import { normalizeCallback, normalizeWorkflow } from './callbacks.js';

const PATH = '/v1/providers/messages-api';

/** Why the request is not signed by the upstream, or undefined if it is. */
export function signatureProblem(raw: Buffer, authorization: string | undefined, verify: (token: string) => unknown): string | undefined {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return 'no-signature';
  let claims: { payload_hash?: unknown };
  try {
    claims = verify(token) as { payload_hash?: unknown };
  } catch {
    return 'bad-signature';
  }
  const expected = createHash('sha256').update(raw).digest('hex');
  const given = typeof claims.payload_hash === 'string' ? claims.payload_hash.toLowerCase() : '';
  return sameSecret(given, expected) ? undefined : 'bad-payload-hash';
}

/** One upstream status callback as a normalized status. */
export function upstreamNormalizer(deps: ConnectorDeps) {
  return (raw: unknown) => normalizeSafely(() => normalizeCallback(raw, deps.clock.now(), (code) => errorOf(deps, code)));
}

export function upstreamWebhook(config: UpstreamConfig | undefined, deps: ConnectorDeps, early: EarlyReports, replay: ParkedReplay) {
  const normalize = upstreamNormalizer(deps);
  return rawBodyWebhook('The upstream Messages API', [PATH], config && ((app) => {
    const verify = createVerifier({ key: config.signatureSecret, algorithms: ['HS256'] });
    app.post(PATH, async (request, reply) => {
      const raw = rawBody(request.body);
      const problem = signatureProblem(raw, request.headers.authorization, verify);
      if (problem) {
        deps.refusals.refuse('upstream', problem, 'callback signature does not verify');
        throw new ProblemError('unauthorized', { detail: 'The Bearer JWT is missing, does not verify, or its payload_hash does not match the body.' });
      }
      const body = parseJson('upstream', raw, deps);
      const workflow = (body as { workflow?: unknown } | null)?.workflow;
      if (workflow !== undefined && !normalizeWorkflow(workflow)) {
        // Our callbacks carry our own workflow; an unreadable upstream one is noted, not fatal.
        deps.refusals.refuse('upstream', 'unreadable-workflow', JSON.stringify(workflow));
      }
      await applyStatuses('upstream', [{ status: normalize(body), raw: body }], deps, early, replay);
      return reply.code(200).send({ received: 1 });
    });
  }));
}

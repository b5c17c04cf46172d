/** Replay: one callback by id, or every dead letter since a time. Same id, so the same webhook-id. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { ROUTE_DOCS } from './route-docs.js';
import { ProblemError } from '../../http/problems.js';
import { parseIsoTime } from '../../model/iso-time.js';
import { replayCallback } from '../history.js';

export function callbackRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store, deps.rateLimit));

    app.post<{ Params: { id: string } }>('/v1/callbacks/:id/replay', { schema: ROUTE_DOCS.replayCallback }, async (request, reply) => {
      const { id } = request.params;
      const outcome = await replayCallback(deps.store, id, request.account.id, deps.now(), deps.wakeDispatch);
      if (!outcome.replayed && outcome.reason === 'not-found') throw new ProblemError('not-found', { detail: `No callback ${id}.` });
      if (!outcome.replayed) {
        throw new ProblemError('conflict', { detail: `Callback ${id} is still ${outcome.state}; only finished callbacks can be replayed.` });
      }
      return reply.code(202).send({ id, state: 'pending' });
    });

    app.post('/v1/callbacks/replay', { schema: ROUTE_DOCS.replayDeadLetters }, async (request, reply) => {
      const body = request.body as { since?: unknown } | null;
      const since = parseIsoTime(body?.since);
      if (since === undefined) {
        throw new ProblemError('invalid-parameters', {
          detail: 'Name the start of the replay window.',
          invalid_parameters: [{ name: 'since', reason: 'must be an ISO 8601 timestamp of a real date and time, e.g. 2026-11-23T00:00:00Z' }],
        });
      }
      const replayed = await deps.store.replayDeadLetters(request.account.id, since, deps.now());
      if (replayed > 0) deps.wakeDispatch();
      return reply.code(202).send({ replayed });
    });
  };
}

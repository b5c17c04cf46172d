/** POST /v1/messages and the message history: GET /v1/messages/:uuid and its callbacks. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { validateMessageRequest } from './message-request.js';
import { ProblemError } from '../../http/problems.js';
import { presentCallback, presentMessage } from './present.js';
import { ROUTE_DOCS } from './route-docs.js';
import { createHash } from 'node:crypto';
import { sameSecret } from '../../model/same-secret.js';
import type { Message } from '../../model/types.js';
import { IDEMPOTENCY_WINDOW_MS, IdempotencyKeyTaken } from '../../store/store.js';
import { findAccountMessage } from '../history.js';

export function messageRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store, deps.rateLimit));

    app.post('/v1/messages', { schema: ROUTE_DOCS.sendMessage }, async (request, reply) => {
      const idempotency = idempotencyOf(request.headers['idempotency-key'], request.body);
      if (idempotency) {
        const earlier = await earlierAnswer(deps, request.account.id, idempotency);
        if (earlier) return replayed(reply, earlier);
      }
      const result = validateMessageRequest(request.body, deps.addressPolicy);
      if (!result.ok) {
        throw new ProblemError('invalid-parameters', {
          detail: `The request has ${result.invalid.length} invalid parameter(s).`,
          invalid_parameters: result.invalid,
        });
      }
      let message: Message;
      try {
        message = await deps.accept({
          account_id: request.account.id,
          interface: 'api',
          first: result.value.first,
          failover: result.value.failover,
          ...(idempotency ? { idempotency } : {}),
        });
      } catch (error) {
        // A concurrent retry with the same key was stored first: answer as it was answered.
        if (!(error instanceof IdempotencyKeyTaken) || !idempotency) throw error;
        const earlier = await earlierAnswer(deps, request.account.id, idempotency);
        if (!earlier) throw error;
        return replayed(reply, earlier);
      }
      return reply.code(202).send(sendAnswer(message));
    });

    app.get<{ Params: { uuid: string } }>('/v1/messages/:uuid', { schema: ROUTE_DOCS.getMessage }, async (request) => {
      const message = await ownMessage(deps, request.params.uuid, request.account.id);
      return presentMessage(message, await deps.store.listEvents(message.uuid));
    });

    app.get<{ Params: { uuid: string } }>('/v1/messages/:uuid/callbacks', { schema: ROUTE_DOCS.listCallbacks }, async (request) => {
      const message = await ownMessage(deps, request.params.uuid, request.account.id);
      const callbacks = await deps.store.listCallbacks(message.uuid);
      return { message_uuid: message.uuid, callbacks: callbacks.map(presentCallback) };
    });
  };
}

/** The first answer to a request with this Idempotency-Key, marked as a replay. */
function replayed(reply: FastifyReply, answer: ReturnType<typeof sendAnswer>) {
  return reply.code(202).header('idempotent-replayed', 'true').send(answer);
}

function sendAnswer(message: Message) {
  return { message_uuid: message.uuid, ...(message.workflow ? { workflow_id: message.workflow.workflow_id } : {}) };
}

/** Visible ASCII, as the IETF Idempotency-Key draft's examples; long enough for a UUID or a hash. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyOf(header: string | string[] | undefined, body: unknown): { key: string; request_hash: string } | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw new ProblemError('invalid-parameters', {
      detail: 'The Idempotency-Key header is invalid.',
      invalid_parameters: [{ name: 'Idempotency-Key', reason: 'must be given once, 1 to 255 visible ASCII characters (a UUID, say)' }],
    });
  }
  return { key: header, request_hash: createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex') };
}

/** The answer to the first request with this key in the last 24 hours, if any; another body is a 422. */
async function earlierAnswer(deps: ApiDeps, accountId: string, idempotency: { key: string; request_hash: string }) {
  const stored = await deps.store.findIdempotencyKey(accountId, idempotency.key, deps.now() - IDEMPOTENCY_WINDOW_MS);
  if (!stored) return undefined;
  if (!sameSecret(idempotency.request_hash, stored.request_hash)) {
    throw new ProblemError('invalid-parameters', {
      detail: 'This Idempotency-Key was used with another request body in the last 24 hours.',
      invalid_parameters: [{ name: 'Idempotency-Key', reason: 'was used with a different request body; use a new key for a new message' }],
    });
  }
  const message = await deps.store.getMessage(stored.message_uuid);
  return message && sendAnswer(message);
}

async function ownMessage(deps: ApiDeps, uuid: string, accountId: string) {
  const message = await findAccountMessage(deps.store, uuid, accountId);
  // Another account's message is reported as missing: its existence is not ours to reveal.
  if (!message) throw new ProblemError('not-found', { detail: `No message ${uuid}.` });
  return message;
}

/** POST /v1/messages and the message history: GET /v1/messages/:uuid and its callbacks. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { validateMessageRequest } from './message-request.js';
import { ProblemError } from '../../http/problems.js';
import { presentCallback, presentMessage } from './present.js';
import { findAccountMessage } from '../history.js';

export function messageRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store));

    app.post('/v1/messages', async (request, reply) => {
      const result = validateMessageRequest(request.body, deps.addressPolicy);
      if (!result.ok) {
        throw new ProblemError('invalid-parameters', {
          detail: `The request has ${result.invalid.length} invalid parameter(s).`,
          invalid_parameters: result.invalid,
        });
      }
      const message = await deps.accept({
        account_id: request.account.id,
        interface: 'api',
        first: result.value.first,
        failover: result.value.failover,
      });
      return reply.code(202).send({
        message_uuid: message.uuid,
        ...(message.workflow ? { workflow_id: message.workflow.workflow_id } : {}),
      });
    });

    app.get<{ Params: { uuid: string } }>('/v1/messages/:uuid', async (request) => {
      const message = await ownMessage(deps, request.params.uuid, request.account.id);
      return presentMessage(message, await deps.store.listEvents(message.uuid));
    });

    app.get<{ Params: { uuid: string } }>('/v1/messages/:uuid/callbacks', async (request) => {
      const message = await ownMessage(deps, request.params.uuid, request.account.id);
      const callbacks = await deps.store.listCallbacks(message.uuid);
      return { message_uuid: message.uuid, callbacks: callbacks.map(presentCallback) };
    });
  };
}

async function ownMessage(deps: ApiDeps, uuid: string, accountId: string) {
  const message = await findAccountMessage(deps.store, uuid, accountId);
  // Another account's message is reported as missing: its existence is not ours to reveal.
  if (!message) throw new ProblemError('not-found', { detail: `No message ${uuid}.` });
  return message;
}

/**
 * GET and PUT /v1/forwarding: the account's forwarding rules (routing/forwarding-rules.ts).
 * PUT replaces the whole document; keys left out take their defaults. A document that fails
 * validation changes nothing and is answered with every invalid field at once. SQS credentials
 * are stored apart, their secrets sealed, in the same transaction; the document keeps the
 * access key id and `(set)`, which a later PUT may send back to keep the stored secret.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { ROUTE_DOCS } from './route-docs.js';
import { ProblemError } from '../../http/problems.js';
import { rulesOf } from '../../model/forwarding-rules.js';
import { saveForwardingRules } from '../forwarding.js';

export function forwardingRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store, deps.rateLimit));

    app.get('/v1/forwarding', { schema: ROUTE_DOCS.getForwarding }, async (request) => rulesOf(request.account));

    app.put('/v1/forwarding', { schema: ROUTE_DOCS.putForwarding }, async (request) => {
      const result = await saveForwardingRules(deps.store, request.account.id, request.body, deps.addressPolicy, {
        ...(deps.sqsEndpoint ? { sqsEndpoint: deps.sqsEndpoint } : {}),
        sqsSharedIdentityAccounts: deps.sqsSharedIdentityAccounts,
      });
      if (!result.ok) {
        throw new ProblemError('invalid-parameters', {
          detail: `The forwarding rules have ${result.invalid.length} invalid field(s).`,
          invalid_parameters: result.invalid,
        });
      }
      return result.value;
    });
  };
}

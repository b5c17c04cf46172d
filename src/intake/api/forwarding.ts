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
import { ProblemError } from '../../http/problems.js';
import { keepStoredSecrets, rulesOf, splitSqsCredentials, validateForwardingRules, type FieldProblem } from '../../model/forwarding-rules.js';
import { mayUseSharedIdentity } from '../../model/destination.js';

const invalidRules = (invalid: FieldProblem[]) =>
  new ProblemError('invalid-parameters', { detail: `The forwarding rules have ${invalid.length} invalid field(s).`, invalid_parameters: invalid });

export function forwardingRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store, deps.rateLimit));

    app.get('/v1/forwarding', async (request) => rulesOf(request.account));

    app.put('/v1/forwarding', async (request) => {
      const accountId = request.account.id;
      const checks = { sqsEndpoint: deps.sqsEndpoint, sharedSqsIdentity: mayUseSharedIdentity(deps.sqsSharedIdentityAccounts, accountId) };
      const result = validateForwardingRules(request.body, deps.addressPolicy, checks);
      if (!result.ok) throw invalidRules(result.invalid);
      const kept = keepStoredSecrets(result.value, await deps.store.listSqsCredentials(accountId));
      if (!kept.ok) throw invalidRules(kept.invalid);
      const { document, credentials } = splitSqsCredentials(kept.value);
      await deps.store.updateAccount(accountId, { forwarding: document, sqs_credentials: credentials });
      return document;
    });
  };
}

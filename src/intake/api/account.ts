/** GET and PATCH /v1/account: the account's default status URL. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { ProblemError } from '../../http/problems.js';
import { httpUrlProblem } from '../../model/destination.js';

export function accountRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store));

    app.get('/v1/account', async (request) => presentAccount(request.account));

    app.patch('/v1/account', async (request) => {
      const body = request.body as Record<string, unknown> | null;
      const invalid = [];
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        invalid.push({ name: '', reason: 'body must be a JSON object' });
      } else {
        for (const key of Object.keys(body)) {
          if (key !== 'status_url') invalid.push({ name: key, reason: 'unknown field' });
        }
        const reason = body.status_url === null ? undefined : httpUrlProblem(body.status_url, deps.addressPolicy);
        if (reason) invalid.push({ name: 'status_url', reason });
      }
      if (invalid.length > 0) {
        throw new ProblemError('invalid-parameters', { detail: 'The account update is invalid.', invalid_parameters: invalid });
      }
      const status_url = (body as { status_url?: string | null }).status_url;
      await deps.store.updateAccount(request.account.id, { status_url });
      return presentAccount((await deps.store.getAccount(request.account.id))!);
    });
  };
}

function presentAccount(account: { id: string; name: string; api_key: string; status_url?: string }) {
  return { account_id: account.id, name: account.name, api_key: account.api_key, status_url: account.status_url ?? null };
}

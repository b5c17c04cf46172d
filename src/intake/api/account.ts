/** GET and PATCH /v1/account: the account's default status URL and its e-mail interface senders. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { ProblemError } from '../../http/problems.js';
import { httpUrlProblem } from '../../model/destination.js';
import { emailSendersProblem, normalizeSenders } from '../email/senders.js';

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
          if (key !== 'status_url' && key !== 'email_senders') invalid.push({ name: key, reason: 'unknown field' });
        }
        // A PATCH names at least one field; status_url alone keeps its old meaning (required URL or null).
        const reason = body.status_url === null || ('email_senders' in body && !('status_url' in body)) ? undefined : httpUrlProblem(body.status_url, deps.addressPolicy);
        if (reason) invalid.push({ name: 'status_url', reason });
        if ('email_senders' in body) invalid.push(...emailSendersProblem(body.email_senders));
      }
      if (invalid.length > 0) {
        throw new ProblemError('invalid-parameters', { detail: 'The account update is invalid.', invalid_parameters: invalid });
      }
      const { status_url, email_senders } = body as { status_url?: string | null; email_senders?: string[] };
      await deps.store.updateAccount(request.account.id, { status_url, ...(email_senders ? { email_senders: normalizeSenders(email_senders) } : {}) });
      return presentAccount((await deps.store.getAccount(request.account.id))!);
    });
  };
}

function presentAccount(account: { id: string; name: string; api_key: string; status_url?: string; email_senders?: string[] }) {
  return { account_id: account.id, name: account.name, api_key: account.api_key, status_url: account.status_url ?? null, email_senders: account.email_senders ?? [] };
}

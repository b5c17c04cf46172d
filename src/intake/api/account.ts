/** GET and PATCH /v1/account: the account's default status URL and its e-mail interface settings. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { ProblemError } from '../../http/problems.js';
import { httpUrlProblem } from '../../model/destination.js';
import { emailSendersProblem, normalizeSenders } from '../email/senders.js';
import { LIMITS } from './message-request.js';
import type { Account } from '../../store/store.js';

export function accountRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store, deps.rateLimit));

    app.get('/v1/account', async (request) => presentAccount(request.account, deps.retentionDays));

    app.patch('/v1/account', async (request) => {
      const body = request.body as Record<string, unknown> | null;
      const invalid = [];
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        invalid.push({ name: '', reason: 'body must be a JSON object' });
      } else {
        for (const key of Object.keys(body)) {
          if (!PATCHABLE.includes(key)) invalid.push({ name: key, reason: 'unknown field' });
        }
        // A PATCH names at least one field; status_url alone keeps its old meaning (required URL or null).
        const othersOnly = !('status_url' in body) && Object.keys(body).some((key) => PATCHABLE.includes(key));
        const reason = body.status_url === null || othersOnly ? undefined : httpUrlProblem(body.status_url, deps.addressPolicy);
        if (reason) invalid.push({ name: 'status_url', reason });
        if ('email_senders' in body) invalid.push(...emailSendersProblem(body.email_senders));
        if ('email_text_limit' in body && emailTextLimitProblem(body.email_text_limit)) {
          invalid.push({ name: 'email_text_limit', reason: emailTextLimitProblem(body.email_text_limit)! });
        }
      }
      if (invalid.length > 0) {
        throw new ProblemError('invalid-parameters', { detail: 'The account update is invalid.', invalid_parameters: invalid });
      }
      const { status_url, email_senders, email_text_limit } = body as { status_url?: string | null; email_senders?: string[]; email_text_limit?: number | null };
      await deps.store.updateAccount(request.account.id, {
        status_url,
        ...(email_senders ? { email_senders: normalizeSenders(email_senders) } : {}),
        ...(email_text_limit !== undefined ? { email_text_limit } : {}),
      });
      return presentAccount((await deps.store.getAccount(request.account.id))!, deps.retentionDays);
    });
  };
}

const PATCHABLE = ['status_url', 'email_senders', 'email_text_limit'];

function emailTextLimitProblem(value: unknown): string | undefined {
  if (value === null || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= LIMITS.text)) return undefined;
  return `email_text_limit must be an integer from 1 to ${LIMITS.text} (characters), or null for each channel's own limit`;
}

function presentAccount(account: Account, retentionDays: number) {
  return {
    account_id: account.id,
    name: account.name,
    api_key: account.api_key,
    status_url: account.status_url ?? null,
    email_senders: account.email_senders ?? [],
    email_text_limit: account.email_text_limit ?? null,
    // Finished messages, their statuses and callbacks are deleted after this many days (null: never).
    history_days: retentionDays > 0 ? retentionDays : null,
  };
}

/**
 * GET and PATCH /v1/account: the account's default status URL (batched or not) and its e-mail
 * interface settings.
 * POST /v1/account/secrets/rotate: a new API secret or signature secret, shown once.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { requireAccount } from './auth.js';
import { ROUTE_DOCS } from './route-docs.js';
import { ProblemError } from '../../http/problems.js';
import { checkBatch, httpUrlProblem, type BatchSettings } from '../../model/destination.js';
import { emailSendersProblem, normalizeSenders } from '../email/senders.js';
import { LIMITS } from './message-request.js';
import type { Account } from '../../store/store.js';
import { DEFAULT_SIGNATURE_GRACE_SECONDS, rotateApiSecret, rotateSignatureSecret } from '../accounts.js';

export function accountRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store, deps.rateLimit));

    app.get('/v1/account', { schema: ROUTE_DOCS.getAccount }, async (request) => presentAccount(request.account, deps.retentionDays));

    app.patch('/v1/account', { schema: ROUTE_DOCS.patchAccount }, async (request) => {
      const body = request.body as Record<string, unknown> | null;
      const invalid = [];
      /** The checked status_batch: null clears it, undefined leaves it. */
      let statusBatch: BatchSettings | null | undefined;
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
        if (body.status_batch === null) statusBatch = null;
        else if ('status_batch' in body) {
          const checked = checkBatch(body.status_batch);
          if ('problems' in checked) for (const [field, reason] of checked.problems) invalid.push({ name: `status_${field}`, reason });
          else statusBatch = checked.value;
        }
        if ('email_senders' in body) invalid.push(...emailSendersProblem(body.email_senders));
        const limitProblem = 'email_text_limit' in body ? emailTextLimitProblem(body.email_text_limit) : undefined;
        if (limitProblem) invalid.push({ name: 'email_text_limit', reason: limitProblem });
      }
      if (invalid.length > 0) {
        throw new ProblemError('invalid-parameters', { detail: 'The account update is invalid.', invalid_parameters: invalid });
      }
      const { status_url, email_senders, email_text_limit } = body as { status_url?: string | null; email_senders?: string[]; email_text_limit?: number | null };
      await deps.store.updateAccount(request.account.id, {
        status_url,
        ...(statusBatch !== undefined ? { status_batch: statusBatch } : {}),
        ...(email_senders ? { email_senders: normalizeSenders(email_senders) } : {}),
        ...(email_text_limit !== undefined ? { email_text_limit } : {}),
      });
      return presentAccount((await deps.store.getAccount(request.account.id))!, deps.retentionDays);
    });

    app.post('/v1/account/secrets/rotate', { schema: ROUTE_DOCS.rotateSecret }, async (request) => {
      const body = request.body as Record<string, unknown> | null;
      const invalid = rotationProblems(body);
      if (invalid.length > 0) {
        throw new ProblemError('invalid-parameters', { detail: 'The rotation request is invalid.', invalid_parameters: invalid });
      }
      const { secret, grace_seconds: graceSeconds = DEFAULT_SIGNATURE_GRACE_SECONDS } = body as { secret: string; grace_seconds?: number };
      if (secret === 'api_secret') return { api_secret: await rotateApiSecret(deps.store, request.account) };
      const previousUntil = deps.now() + graceSeconds * 1000;
      return {
        signature_secret: await rotateSignatureSecret(deps.store, request.account.id, previousUntil),
        previous_secret_signs_until: new Date(previousUntil).toISOString(),
      };
    });
  };
}

const ROTATABLE = ['api_secret', 'signature_secret'];
/** A week: long enough for any receiver's deployment, short enough that an old secret goes. */
const MAX_GRACE_SECONDS = 7 * 24 * 60 * 60;

function rotationProblems(body: Record<string, unknown> | null): Array<{ name: string; reason: string }> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [{ name: '', reason: 'body must be a JSON object' }];
  const invalid = Object.keys(body)
    .filter((key) => key !== 'secret' && key !== 'grace_seconds')
    .map((key) => ({ name: key, reason: 'unknown field' }));
  if (typeof body.secret !== 'string' || !ROTATABLE.includes(body.secret)) {
    invalid.push({ name: 'secret', reason: `must be one of ${ROTATABLE.join(', ')}` });
  }
  if ('grace_seconds' in body) {
    if (body.secret !== 'signature_secret') {
      invalid.push({ name: 'grace_seconds', reason: 'only a signature_secret rotation has a grace period; an API secret changes at once' });
    } else if (!Number.isInteger(body.grace_seconds) || (body.grace_seconds as number) < 0 || (body.grace_seconds as number) > MAX_GRACE_SECONDS) {
      invalid.push({ name: 'grace_seconds', reason: `must be an integer from 0 to ${MAX_GRACE_SECONDS}` });
    }
  }
  return invalid;
}

const PATCHABLE = ['status_url', 'status_batch', 'email_senders', 'email_text_limit'];

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
    status_batch: account.status_batch ?? null,
    email_senders: account.email_senders ?? [],
    email_text_limit: account.email_text_limit ?? null,
    // Finished messages, their statuses and callbacks are deleted after this many days (null: never).
    history_days: retentionDays > 0 ? retentionDays : null,
  };
}

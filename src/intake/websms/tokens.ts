/**
 * Access tokens for the websms interface's `Authorization: Bearer`: created with the account's
 * Basic credentials, shown once, stored as a hash, revocable.
 *
 *   POST   /v1/account/tokens        {"label"?: string} → 201 {id, token, label, created_at}
 *   GET    /v1/account/tokens        → {tokens: [{id, label, created_at, revoked_at}]}
 *   DELETE /v1/account/tokens/{id}   → 204 (404 when there is no such live token)
 */
import type { FastifyInstance } from 'fastify';
import { requireAccount } from '../api/auth.js';
import { ProblemError } from '../../http/problems.js';
import { hashAccessToken, newAccessToken } from './auth.js';
import type { WebsmsDeps } from './deps.js';
import type { AccessToken } from '../../store/store.js';

export const LABEL_MAX = 100;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A new access token of the account: the token is returned once, only its hash is stored. */
export async function issueAccessToken(
  deps: Pick<WebsmsDeps, 'store' | 'newId' | 'now'>,
  accountId: string,
  label: string | undefined,
): Promise<{ token: string; stored: AccessToken }> {
  const token = newAccessToken();
  const stored: AccessToken = {
    id: deps.newId(),
    account_id: accountId,
    token_hash: hashAccessToken(token),
    ...(label !== undefined ? { label } : {}),
    created_at: deps.now(),
  };
  await deps.store.createAccessToken(stored);
  return { token, stored };
}

export function tokenRoutes(deps: WebsmsDeps) {
  return async function routes(app: FastifyInstance) {
    app.addHook('preHandler', requireAccount(deps.store));

    app.post('/v1/account/tokens', { schema: { tags: ['account'], summary: 'Issue an access token (websms interface, Authorization: Bearer); shown once' } }, async (request, reply) => {
      const body = (request.body ?? {}) as { label?: unknown };
      const label = body.label;
      if (typeof body !== 'object' || (label !== undefined && (typeof label !== 'string' || label.length > LABEL_MAX))) {
        throw new ProblemError('invalid-parameters', {
          detail: 'The token request is invalid.',
          invalid_parameters: [{ name: 'label', reason: `label must be a string of at most ${LABEL_MAX} characters` }],
        });
      }
      const { token, stored } = await issueAccessToken(deps, request.account.id, typeof label === 'string' ? label : undefined);
      return reply.code(201).send({ id: stored.id, token, label: stored.label ?? null, created_at: iso(stored.created_at) });
    });

    app.get('/v1/account/tokens', { schema: { tags: ['account'], summary: "The account's access tokens (never the token itself)" } }, async (request) => {
      const tokens = await deps.store.listAccessTokens(request.account.id);
      return { tokens: tokens.map((token) => ({ id: token.id, label: token.label ?? null, created_at: iso(token.created_at), revoked_at: iso(token.revoked_at) })) };
    });

    app.delete<{ Params: { id: string } }>('/v1/account/tokens/:id', { schema: { tags: ['account'], summary: 'Revoke an access token' } }, async (request, reply) => {
      if (!(await deps.store.revokeAccessToken(request.account.id, request.params.id, deps.now()))) {
        throw new ProblemError('not-found', { detail: `No live access token ${request.params.id}.` });
      }
      return reply.code(204).send();
    });
  };
}

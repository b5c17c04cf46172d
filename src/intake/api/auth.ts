/** Basic auth for the REST API's routes: the account is attached to the request. */
import type { FastifyRequest } from 'fastify';
import type { Account, Store } from '../../store/store.js';
import { authenticateBasic } from '../accounts.js';
import { ProblemError } from '../../http/problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: Account;
  }
}

/** preHandler for routes that need an account: answers 401 unless Basic auth matches, 403 for a disabled account. */
export function requireAccount(store: Store) {
  return async (request: FastifyRequest) => {
    const account = await authenticateBasic(store, request.headers.authorization);
    if (!account) throw new ProblemError('unauthorized', { detail: 'Send HTTP Basic auth with your api_key and api_secret.' });
    if (account.disabled_at !== undefined) throw new ProblemError('account-disabled', { detail: 'This account is disabled; ask the operator.' });
    request.account = account;
  };
}

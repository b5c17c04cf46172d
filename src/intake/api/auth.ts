/** Basic auth and the per-account request rate for the REST API's routes: the account is attached to the request. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Store } from '../../store/store.js';
import { authenticateBasic } from '../accounts.js';
import { ProblemError } from '../../http/problems.js';
import type { TokenBuckets } from '../rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: Account;
  }
}

/** The per-account request rate: one bucket per account, the account's own limit or the default. */
export interface ApiRateLimit {
  buckets: TokenBuckets;
  /** Requests per second of an account without its own api_rate_limit. */
  defaultRate: number;
}

/**
 * preHandler for routes that need an account: answers 401 unless Basic auth matches, 403 for a
 * disabled account, and 429 with Retry-After when the account is over its request rate (bursts
 * of twice the rate pass).
 */
export function requireAccount(store: Store, rateLimit?: ApiRateLimit) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const account = await authenticateBasic(store, request.headers.authorization);
    if (!account) throw new ProblemError('unauthorized', { detail: 'Send HTTP Basic auth with your api_key and api_secret.' });
    if (account.disabled_at !== undefined) throw new ProblemError('account-disabled', { detail: 'This account is disabled; ask the operator.' });
    request.account = account;
    if (!rateLimit) return;
    const rate = account.api_rate_limit ?? rateLimit.defaultRate;
    const waitMs = rateLimit.buckets.take(account.id, rate, 2 * rate);
    if (waitMs > 0) {
      reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      throw new ProblemError('too-many-requests', { detail: `The account's limit is ${rate} requests per second; retry after the time in Retry-After.` });
    }
  };
}

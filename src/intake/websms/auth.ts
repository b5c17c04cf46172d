/**
 * Credentials of the websms interface: HTTP Basic with the account's api_key / api_secret, or
 * `Authorization: Bearer <access token>` with a token the account created (tokens.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Account, Store } from '../../store/store.js';
import { authenticateBasic } from '../accounts.js';

const TOKEN_PREFIX = 'wst_';

export function newAccessToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens are 32 random bytes: a plain SHA-256 is enough to keep them unusable if the table leaks. */
export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The account the credentials name; a disabled account's credentials do not log in. */
export async function authenticateWebsms(store: Store, header: string | undefined): Promise<Account | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const account = bearer ? await store.findAccountByAccessToken(hashAccessToken(bearer[1]!)) : await authenticateBasic(store, header);
  return account?.disabled_at === undefined ? account : undefined;
}

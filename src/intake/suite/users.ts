/**
 * Suite users and their sessions. A user belongs to one account and sees only its data. The
 * session cookie carries a random token; the store keeps only its SHA-256, beside the session's
 * CSRF token.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Store, SuiteSession, SuiteUser } from '../../store/store.js';
import { isEmailAddress } from '../../model/destination.js';
import { hashPassword, verifyPassword } from '../passwords.js';

export const MIN_PASSWORD_LENGTH = 12;
export const SESSION_MS = 12 * 60 * 60_000;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

/**
 * Compared against when the e-mail is unknown, so an unknown address costs as much as a wrong
 * password. Made at the first sign-in, not at import: a top-level await would make every module
 * that imports this one load asynchronously.
 */
let unknownUserHash: Promise<string> | undefined;

export class UserError extends Error {}

/**
 * A new user of the account (`statusrelay user create`). Without a password, a random one-time
 * password is made and returned: the user must choose their own at the first sign-in.
 */
export async function createUser(
  store: Store,
  input: { accountId: string; email: string; password?: string },
  now: number,
): Promise<{ user_id: string; account_id: string; email: string; one_time_password?: string }> {
  const email = normalizeEmail(input.email);
  if (!isEmailAddress(email)) throw new UserError(`not an e-mail address: ${input.email}`);
  if (!(await store.getAccount(input.accountId))) throw new UserError(`no account ${input.accountId}`);
  if (await store.findSuiteUserByEmail(email)) throw new UserError(`a user ${email} exists already`);
  if (input.password !== undefined && [...input.password].length < MIN_PASSWORD_LENGTH) {
    throw new UserError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const oneTime = input.password === undefined ? randomBytes(12).toString('base64url') : undefined;
  const user: SuiteUser = {
    id: randomUUID(),
    account_id: input.accountId,
    email,
    password_hash: await hashPassword(input.password ?? oneTime!),
    must_change_password: oneTime !== undefined,
    created_at: now,
    updated_at: now,
  };
  await store.createSuiteUser(user);
  return { user_id: user.id, account_id: user.account_id, email, ...(oneTime ? { one_time_password: oneTime } : {}) };
}

/** The user with this e-mail address, if the password matches. */
export async function checkPassword(store: Store, email: string, password: string): Promise<SuiteUser | undefined> {
  const user = await store.findSuiteUserByEmail(normalizeEmail(email));
  const matches = await verifyPassword(password, user?.password_hash ?? (await (unknownUserHash ??= hashPassword(randomBytes(16).toString('hex')))));
  return matches && user ? user : undefined;
}

/** A new session; returns the cookie's token (shown to nobody else, stored only hashed). */
export async function startSession(store: Store, user: SuiteUser, now: number): Promise<{ token: string; session: SuiteSession }> {
  const token = newToken();
  const session: SuiteSession = { token_hash: tokenHash(token), user_id: user.id, csrf_token: newToken(), created_at: now, expires_at: now + SESSION_MS };
  await store.createSuiteSession(session);
  return { token, session };
}

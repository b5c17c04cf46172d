/** What every suite request carries: its language, and once signed in the user, session and account. */
import type { Account, SuiteSession, SuiteUser } from '../../store/store.js';
import type { Strings } from './i18n/index.js';

export interface SuiteContext {
  t: Strings;
  user?: SuiteUser;
  session?: SuiteSession;
  account?: Account;
}

/** A signed-in request's context (the auth hook guarantees these on every page but sign-in). */
export interface SignedIn extends SuiteContext {
  user: SuiteUser;
  session: SuiteSession;
  account: Account;
}

declare module 'fastify' {
  interface FastifyRequest {
    suite: SuiteContext;
  }
}

export const PREFIX = '/suite';
export const SESSION_COOKIE = 'suite_session';
export const SIGN_IN_CSRF_COOKIE = 'suite_signin';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

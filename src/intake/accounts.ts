/** Account credentials: creation and the API's Basic-auth check. */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { Account, Store } from '../store/store.js';
import { newSignatureSecret } from '../model/signature-secret.js';
import { sameSecret } from '../model/same-secret.js';
import { issueSmppCredentials } from './smpp/credentials.js';

export interface Credentials {
  account_id: string;
  name: string;
  api_key: string;
  api_secret: string;
  signature_secret: string;
  /** SMPP server credentials (intake/smpp/credentials.ts). */
  smpp_system_id: string;
  smpp_password: string;
}

/**
 * API secrets are 24 random bytes, so a fast salted SHA-256 is as safe as a slow KDF here
 * (nothing to brute-force) and keeps per-request auth cheap (one-shot, no Hash object).
 */
function hashSecret(apiKey: string, secret: string): string {
  return hash('sha256', `${apiKey}:${secret}`);
}

const newApiSecret = () => randomBytes(24).toString('base64url');

export async function createAccount(store: Store, name: string, now: number): Promise<Credentials> {
  const credentials: Omit<Credentials, 'smpp_system_id' | 'smpp_password'> = {
    account_id: randomUUID(),
    name,
    api_key: randomBytes(8).toString('hex'),
    api_secret: newApiSecret(),
    signature_secret: newSignatureSecret(),
  };
  await store.createAccount({
    id: credentials.account_id,
    name,
    api_key: credentials.api_key,
    api_secret_hash: hashSecret(credentials.api_key, credentials.api_secret),
    signature_secret: credentials.signature_secret,
    created_at: now,
  });
  return { ...credentials, ...(await issueSmppCredentials(store, credentials.account_id, now)) };
}

/** A new API secret, shown once; the old one stops working at once. */
export async function rotateApiSecret(store: Store, account: Account): Promise<string> {
  const secret = newApiSecret();
  await store.updateAccount(account.id, { api_secret_hash: hashSecret(account.api_key, secret) });
  return secret;
}

/** The grace period of a signature secret rotation when the request does not name one. */
export const DEFAULT_SIGNATURE_GRACE_SECONDS = 24 * 60 * 60;

/**
 * A new signature secret, shown once. The current one keeps signing beside it until
 * `previousUntil`, so receivers can switch without losing a callback; a rotation within the
 * grace period of the last one drops the oldest secret at once.
 */
export async function rotateSignatureSecret(store: Store, accountId: string, previousUntil: number): Promise<string> {
  const secret = newSignatureSecret();
  await store.rotateSignatureSecret(accountId, secret, previousUntil);
  return secret;
}

/**
 * `statusrelay account disable` / `enable`: a disabled account's logins fail (API 403, SMTP,
 * SMPP, websms); its pending callbacks still go out. False when there is no such account.
 */
export async function setAccountDisabled(store: Store, accountId: string, disabled: boolean, now: number): Promise<boolean> {
  const account = await store.getAccount(accountId);
  if (!account) return false;
  if (disabled !== (account.disabled_at !== undefined)) await store.updateAccount(accountId, { disabled_at: disabled ? now : null });
  return true;
}

/** Compared against when the api_key is unknown; matches nothing. */
const UNKNOWN_KEY_HASH = hashSecret('unknown', randomBytes(24).toString('base64url'));

/** The account named by an `Authorization: Basic` header, if the secret matches. */
export async function authenticateBasic(store: Store, header: string | undefined): Promise<Account | undefined> {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  return authenticateKey(store, decoded.slice(0, colon), decoded.slice(colon + 1));
}

/** The account with this api_key, if the secret matches (Basic auth, SMTP AUTH). */
export async function authenticateKey(store: Store, apiKey: string, secret: string): Promise<Account | undefined> {
  const account = await store.findAccountByApiKey(apiKey);
  // An unknown key does the same work as a wrong secret, so timing does not tell keys apart.
  const matches = sameSecret(hashSecret(apiKey, secret), account?.api_secret_hash ?? UNKNOWN_KEY_HASH);
  return matches && account ? account : undefined;
}

/**
 * SMPP credentials, separate from the REST credentials: SMPP 3.4 limits system_id to 15 and
 * password to 8 characters. The password is random (8 of 62 characters, ~47 bits) and stored as
 * scrypt with a random salt; it is shown once, when issued.
 */
import { randomBytes, randomInt, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import type { SmppCredential, Store } from '../../store/store.js';
import { sameSecret } from '../../model/same-secret.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** scrypt cost: ~20 ms per bind on a 2-core machine; binds are rare. */
const SCRYPT = { N: 16384, r: 8, p: 1 };
export const SMPP_SYSTEM_ID_MAX = 15;
export const SMPP_PASSWORD_MAX = 8;
export const DEFAULT_MAX_SESSIONS = 4;
export const DEFAULT_SUBMIT_RATE = 100;

export interface IssuedSmppCredentials {
  smpp_system_id: string;
  smpp_password: string;
}

function randomPassword(): string {
  let out = '';
  for (let i = 0; i < SMPP_PASSWORD_MAX; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export async function hashSmppPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySmppPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const given = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, SCRYPT);
  return sameSecret(given, expected);
}

/** New credentials for a new account: system_id `sr` + 12 hex digits (14 characters). */
export async function issueSmppCredentials(store: Store, accountId: string, now: number): Promise<IssuedSmppCredentials> {
  const systemId = `sr${randomBytes(6).toString('hex')}`;
  const password = randomPassword();
  await store.saveSmppCredential({
    account_id: accountId,
    system_id: systemId,
    password_hash: await hashSmppPassword(password),
    max_sessions: DEFAULT_MAX_SESSIONS,
    submit_rate: DEFAULT_SUBMIT_RATE,
    created_at: now,
    updated_at: now,
  });
  return { smpp_system_id: systemId, smpp_password: password };
}

/** A new password for the account's system_id (`statusrelay smpp-password reset`). */
export async function resetSmppPassword(store: Store, accountId: string, now: number): Promise<IssuedSmppCredentials | undefined> {
  const current = await store.getSmppCredentialOfAccount(accountId);
  if (!current) {
    if (!(await store.getAccount(accountId))) return undefined;
    return issueSmppCredentials(store, accountId, now);
  }
  const password = randomPassword();
  const updated: SmppCredential = { ...current, password_hash: await hashSmppPassword(password), updated_at: now };
  await store.saveSmppCredential(updated);
  return { smpp_system_id: current.system_id, smpp_password: password };
}

/** Checked when the system_id is unknown: an unknown system_id costs the same scrypt as a wrong password. */
let unknownSystemIdHash: Promise<string> | undefined;

/** The credential a bind names, if the password matches and its account is not disabled. */
export async function authenticateSmpp(store: Store, systemId: string, password: string): Promise<SmppCredential | undefined> {
  if (systemId.length === 0 || systemId.length > SMPP_SYSTEM_ID_MAX || password.length > SMPP_PASSWORD_MAX) return undefined;
  const credential = await store.findSmppCredential(systemId);
  const matches = await verifySmppPassword(password, credential?.password_hash ?? (await (unknownSystemIdHash ??= hashSmppPassword(randomPassword()))));
  if (!credential || !matches) return undefined;
  const account = await store.getAccount(credential.account_id);
  return account && account.disabled_at === undefined ? credential : undefined;
}

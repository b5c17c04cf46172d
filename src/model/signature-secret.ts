/**
 * The account's signature secret, in the Standard Webhooks form: `whsec_` + base64 of 32 random
 * bytes. Made when an account is created, used by every callback signature.
 */
import { randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

export function newSignatureSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key of a secret: the base64 after the `whsec_` prefix. */
export function hmacKeyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

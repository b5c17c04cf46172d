/**
 * Signs every callback twice (README, "Callbacks"), so that receivers built for either
 * convention verify it unchanged: a Vonage-style JWT in `Authorization` and the Standard
 * Webhooks headers. Both use the account's signature secret; during a rotation's grace period
 * the Standard Webhooks header carries a signature by the previous secret too.
 */
import { createHash, createHmac } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { hmacKeyOf } from '../model/signature-secret.js';
import type { Signing } from '../store/store.js';

export interface SignInput {
  body: string;
  /** The `webhook-id`: the callback id, or a batch's id (batcher.ts); the same on every retry. */
  callbackId: string;
  /** Epoch ms of this attempt. */
  now: number;
  /** Unique per attempt. */
  jti: string;
  signing: Signing;
  issuer: string;
}

type Signer = (payload: Record<string, unknown>) => string;

// Building a signer parses the key; accounts are few and hot, so keep one per secret. Bounded,
// oldest out first, so a long-running process with many accounts does not grow without limit.
const MAX_SIGNERS = 1_000;
const signers = new Map<string, Signer>();

function signerFor(secret: string): Signer {
  let signer = signers.get(secret);
  if (!signer) {
    signer = createSigner({ key: secret, algorithm: 'HS256' }) as Signer;
    if (signers.size >= MAX_SIGNERS) signers.delete(signers.keys().next().value as string);
    signers.set(secret, signer);
  }
  return signer;
}

/** The signing headers of one attempt (lowercase names). */
export function signCallback(input: SignInput): Record<string, string> {
  const { signature_secret: current, previous_signature_secret: previous, previous_signature_secret_until: previousUntil } = input.signing;
  if (!current) throw new Error('account has no signature secret');
  const secrets = previous && input.now < (previousUntil ?? 0) ? [current, previous] : [current];
  const seconds = Math.floor(input.now / 1000);

  const claims: Record<string, unknown> = {
    iat: seconds,
    jti: input.jti,
    iss: input.issuer,
    api_key: input.signing.api_key,
    payload_hash: createHash('sha256').update(input.body, 'utf8').digest('hex'),
  };
  if (input.signing.application_id) claims.application_id = input.signing.application_id;
  // The JWT carries one signature only: the current secret, used as its utf-8 string.
  const token = signerFor(current)(claims);

  const signed = `${input.callbackId}.${seconds}.${input.body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', hmacKeyOf(secret)).update(signed, 'utf8').digest('base64')}`,
  );

  return {
    authorization: `Bearer ${token}`,
    'webhook-id': input.callbackId,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * Secrets at rest (README, "Secrets at rest"): AES-256-GCM under the current key of a keyring.
 * A sealed value names the key it was sealed under, so older keys can still open it until
 * `statusrelay secrets rotate-key` has sealed everything again under the new one. The
 * additional authenticated data binds a value to its row and column: a sealed secret copied
 * into another account's row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const SECRET_KEY_BYTES = 32;
const SEALED_PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Keyring {
  /** Seals new values. */
  current: Buffer;
  /** Open only: keys values may still be sealed under while a key rotation is under way. */
  previous: Buffer[];
}

export interface SecretBox {
  /** The id of the current key, as sealed values name it. */
  readonly currentKeyId: string;
  seal(plain: string, context: string): string;
  /** The clear value; a value stored before secrets were sealed is returned as it is. */
  open(stored: string, context: string): string;
  /** Whether the value is sealed under the current key (else it needs sealing again). */
  isCurrent(stored: string): boolean;
}

/** A short public name of a key: a hash, so it tells nothing about the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('statusrelay secret key id\0').update(key).digest('hex').slice(0, 16);
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/**
 * `reload` is asked for the keyring again when a value names a key this one lacks: another
 * process rotated the key file while this one was running.
 */
export function createSecretBox(keyring: Keyring, reload?: () => Keyring): SecretBox {
  let keys = indexKeys(keyring);
  const currentKeyId = keyIdOf(keyring.current);
  /**
   * Opened values by sealed value and context: every claimed callback carries its account's
   * sealed signature secret, and one AES-GCM open per callback showed in the dispatch profile.
   * A sealed value always opens to the same secret, so the cache is exact; bounded by clearing.
   */
  const opened = new Map<string, string>();
  const MAX_OPENED = 10_000;

  function keyNamed(id: string): Buffer {
    let key = keys.get(id);
    if (!key && reload) {
      const fresh = reload();
      keys = new Map([...keys, ...indexKeys(fresh)]);
      key = keys.get(id);
    }
    if (!key) throw new Error(`a stored secret is sealed under key ${id}, which is not configured (SECRETS_KEY, SECRETS_PREVIOUS_KEYS or the key file)`);
    return key;
  }

  return {
    currentKeyId,
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyring.current, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${SEALED_PREFIX}${currentKeyId}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
    },
    open(stored, context) {
      if (!isSealed(stored)) return stored;
      const cacheKey = `${context}\u0000${stored}`;
      const known = opened.get(cacheKey);
      if (known !== undefined) return known;
      const [id, payload] = stored.slice(SEALED_PREFIX.length).split(':');
      const bytes = Buffer.from(payload ?? '', 'base64url');
      if (!id || bytes.length < IV_BYTES + TAG_BYTES) throw new Error('a stored secret is not a valid sealed value');
      const decipher = createDecipheriv('aes-256-gcm', keyNamed(id), bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      if (opened.size >= MAX_OPENED) opened.clear();
      opened.set(cacheKey, plain);
      return plain;
    },
    isCurrent(stored) {
      return stored.startsWith(`${SEALED_PREFIX}${currentKeyId}:`);
    },
  };

  function indexKeys(ring: Keyring): Map<string, Buffer> {
    return new Map([ring.current, ...ring.previous].map((key) => [keyIdOf(key), key]));
  }
}

/**
 * The one comparison for secrets, tokens, signatures and hashes: constant time in the given
 * value, whatever its length (both sides are hashed to equal length first, so a wrong length
 * answers no faster than a wrong byte).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();

export function sameSecret(given: unknown, expected: string | Buffer): boolean {
  if (typeof given !== 'string' && !Buffer.isBuffer(given)) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

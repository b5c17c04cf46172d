/**
 * The one comparison for secrets, tokens, signatures and hashes: constant time in the given
 * value, whatever its length (both sides are hashed to equal length first, so a wrong length
 * answers no faster than a wrong byte).
 */
import { hash, timingSafeEqual } from 'node:crypto';

/** One-shot: a Hash object per digest cost about a microsecond more, on every API request. */
const digest = (value: string | Buffer) => hash('sha256', value, 'buffer');

export function sameSecret(given: unknown, expected: string | Buffer): boolean {
  if (typeof given !== 'string' && !Buffer.isBuffer(given)) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

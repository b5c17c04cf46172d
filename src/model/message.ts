/** Facts every stage computes the same way about a message. */
import type { MessageContent } from './types.js';

/** Epoch ms at which `content` expires if sent at `now`; `ttl` is in seconds as in the public API. */
export function expiresAt(content: MessageContent, now: number): number | undefined {
  return content.ttl === undefined ? undefined : now + content.ttl * 1000;
}

/** The recipient of sample callbacks (the suite's "send a test callback"): a UK number reserved for drama. */
export const CUSTOMER_TEST_NUMBER = '447700900000';

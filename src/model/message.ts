/** Facts every stage computes the same way about a message. */
import type { MessageContent } from './types.js';

/** Epoch ms at which `content` expires if sent at `now`; `ttl` is in seconds as in the public API. */
export function expiresAt(content: MessageContent, now: number): number | undefined {
  return content.ttl === undefined ? undefined : now + content.ttl * 1000;
}

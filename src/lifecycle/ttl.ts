/**
 * Time to live: a message not settled (delivered, read, rejected, undeliverable) by its
 * `expires_at` is rejected with error 1360. The expiry is expressed as an ordinary provider
 * report so it goes through the state machine like any other: afterwards `rejected` is
 * terminal, and a provider report that arrives later is `late` (recorded, not forwarded)
 * instead of bringing the message back.
 */
import type { ErrorObject, Message, ProviderReport } from '../model/types.js';
import { isSettled } from '../model/vocabulary.js';

/**
 * The `rejected` report for an expired message, or undefined if it has not expired. The caller
 * builds `error` (normally `makeError(1360, ...)`): the type URL and instance id are its
 * business. `occurred_at` is the moment the TTL ran out, not the moment a sweep noticed it.
 */
export function expiryReport(message: Message, now: number, error: ErrorObject): ProviderReport | undefined {
  if (message.expires_at === undefined || message.expires_at > now) return undefined;
  if (isSettled(message.state)) return undefined;
  return {
    message_uuid: message.uuid,
    status: 'rejected',
    occurred_at: message.expires_at,
    source: 'ttl',
    error,
  };
}

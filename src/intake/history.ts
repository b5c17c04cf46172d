/**
 * A message's history as every customer interface shows it (the REST API, the suite): the
 * account's own message by id, and replaying one of its finished callbacks.
 */
import type { Message } from '../model/types.js';
import type { Callback, Store } from '../store/store.js';

/** A message id with its hyphens or without (a websms transferId names its transfer's first message). */
function messageId(id: string): string {
  const compact = /^[0-9a-f]{32}$/i.exec(id)?.[0];
  return compact ? `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}` : id;
}

/** The message if it belongs to the account; another account's message is as missing as none. */
export async function findAccountMessage(store: Store, id: string, accountId: string): Promise<Message | undefined> {
  const message = await store.getMessage(messageId(id));
  return message && message.account_id === accountId ? message : undefined;
}

export type ReplayOutcome = { replayed: true } | { replayed: false; reason: 'not-found' } | { replayed: false; reason: 'unfinished'; state: Callback['state'] };

/** Makes one of the account's finished callbacks due again (same id, so the same webhook-id). */
export async function replayCallback(store: Store, id: string, accountId: string, now: number, wakeDispatch: () => void): Promise<ReplayOutcome> {
  const callback = await store.getCallback(id);
  if (!callback || callback.account_id !== accountId) return { replayed: false, reason: 'not-found' };
  if (!(await store.replayCallback(id, accountId, now))) return { replayed: false, reason: 'unfinished', state: callback.state };
  wakeDispatch();
  return { replayed: true };
}

/** Accepting a message from any interface: store it (with its failover items), then hand it to carriage. */
import type { Carriage } from '../carriage/index.js';
import type { Message, MessageContent } from '../model/types.js';
import type { Store } from '../store/store.js';
import type { Tool } from '../model/vocabulary.js';
import type { Metrics } from '../ops/metrics.js';
import { expiresAt } from '../lifecycle/failover.js';

export interface AcceptDeps {
  store: Store;
  carriage: Carriage;
  metrics: Metrics;
  now: () => number;
  newId: () => string;
}

export interface AcceptRequest {
  account_id: string;
  tool: Tool;
  first: MessageContent;
  failover: MessageContent[];
  reply_to?: string;
}

/** Resolves once the message is durably stored; the answer names it (and its workflow). */
export async function acceptMessage(deps: AcceptDeps, request: AcceptRequest): Promise<Message> {
  const now = deps.now();
  const message: Message = {
    ...request.first,
    uuid: deps.newId(),
    account_id: request.account_id,
    tool: request.tool,
    ...(request.reply_to ? { reply_to: request.reply_to } : {}),
    state: 'accepted',
    seen: [],
    failover: request.failover,
    ...(request.failover.length > 0
      ? { workflow: { workflow_id: deps.newId(), items_number: '1', items_total: String(request.failover.length + 1) } }
      : {}),
    expires_at: expiresAt(request.first, now),
    created_at: now,
    updated_at: now,
  };
  await deps.store.insertMessages([message]);
  deps.metrics.messagesAccepted.inc({ channel: message.channel, tool: message.tool });
  deps.carriage.submit(message);
  return message;
}

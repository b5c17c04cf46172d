/**
 * Failover: a message may name fallback items (e.g. RCS, then SMS). When an attempt is
 * rejected, the next item becomes a message of its own in the same workflow; its callbacks say
 * which attempt they belong to (`workflow.items_number`, 1-based, strings as on the wire).
 */
import type { Message, Workflow } from '../model/types.js';
import { expiresAt } from '../model/message.js';

/**
 * The next attempt after `message` was rejected, or undefined when there is none. Only
 * `rejected` triggers failover (docs/statuses.md); the new message starts `accepted` with an
 * empty history, carries the remaining items, and keeps the account, interface, return destination and receipt request so
 * its callbacks go where the first attempt's would have.
 */
export function nextFailoverItem(message: Message, uuid: string, now: number): Message | undefined {
  if (message.state !== 'rejected') return undefined;
  const [item, ...rest] = message.failover;
  if (item === undefined) return undefined;

  const next: Message = {
    ...item,
    uuid,
    account_id: message.account_id,
    interface: message.interface,
    state: 'accepted',
    seen: [],
    workflow: nextWorkflow(message),
    failover: rest,
    created_at: now,
    updated_at: now,
  };
  // The customer gave one callback URL for the whole request; an item may override it.
  const webhookUrl = item.webhook_url ?? message.webhook_url;
  if (webhookUrl !== undefined) next.webhook_url = webhookUrl;
  if (message.return_to !== undefined) next.return_to = message.return_to;
  if (message.receipt_request !== undefined) next.receipt_request = message.receipt_request;
  const expires = expiresAt(item, now);
  if (expires !== undefined) next.expires_at = expires;
  return next;
}

/**
 * A message stored without a workflow is item 1 of its own workflow, named after its uuid
 * (intake should always set one when there is failover; this keeps the numbering right if not).
 */
function nextWorkflow(message: Message): Workflow {
  const current: Workflow = message.workflow ?? {
    workflow_id: message.uuid,
    items_number: '1',
    items_total: String(message.failover.length + 1),
  };
  return {
    workflow_id: current.workflow_id,
    items_number: String(Number(current.items_number) + 1),
    items_total: current.items_total,
  };
}

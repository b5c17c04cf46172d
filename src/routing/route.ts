/**
 * Routing: from a status change and the account's forwarding rules to the deliveries it causes
 * (README, "Forwarding rules"). Pure: the same inputs always give the same list. Whatever it returns,
 * the status itself is always recorded and visible in the message history.
 */
import type { Message } from '../model/types.js';
import { sectionOf, type Section, type Status } from '../model/vocabulary.js';
import type { Delivery, Destination, RuleDestination } from '../model/destination.js';
import { INTERFACES, deliveryFormat, type AccountDestinations } from '../model/interfaces.js';
import { ruleFor, rulesOf } from '../model/forwarding-rules.js';
import { smppReceiptWanted } from '../model/smpp-receipt.js';

export interface RoutingAccount extends AccountDestinations {
  forwarding?: unknown;
}

export function routeStatusChange(message: Message, status: Status, account: RoutingAccount): Delivery[] {
  const rules = rulesOf(account);
  if (!rules.enabled) return [];
  const section = sectionOf(message.channel);
  if (section === 'ott' && !rules.ott.statuses.includes(status)) return [];
  if (message.receipt_statuses ? !message.receipt_statuses.includes(status) : !requested(message, status, section)) return [];
  // An SMPP submit's registered_delivery says which statuses it wants receipts for.
  if (message.return_to?.type === 'smpp' && !smppReceiptWanted(message.return_to.receipt, status)) return [];

  const rule = ruleFor(rules, section, message.interface);
  if (!rule || rule.type === 'none') return [];
  const destination =
    rule.type === 'interface' ? INTERFACES[message.interface].fixedDestination?.(message, account) : chosenDestination(rule);
  return destination ? [{ destination, format: deliveryFormat(message.interface, rule) }] : [];
}

/**
 * The sender's own request, where the interface records one. An SMS receipt is one thing: asking
 * for either kind asks for it. For OTT, `delivered` and `read` are each forwarded only if asked
 * for; the other statuses are left to the account's `ott.statuses`.
 */
function requested(message: Message, status: Status, section: Section): boolean {
  const asked = message.receipt_request;
  if (asked === undefined) return true;
  if (section === 'sms') return asked.length > 0;
  return (status !== 'delivered' && status !== 'read') || asked.includes(status);
}

function chosenDestination(rule: RuleDestination): Destination | undefined {
  switch (rule.type) {
    case 'url':
      return { type: 'url', url: rule.url, ...(rule.batch ? { batch: rule.batch } : {}) };
    case 'email':
      return { type: 'email', address: rule.address };
    case 'sqs':
      return { type: 'sqs', queue_url: rule.queue_url };
    default:
      return undefined;
  }
}

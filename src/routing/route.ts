/**
 * Routing: from a status change and the account's forwarding rules to the deliveries it causes
 * (design.md section 5). Pure: the same inputs always give the same list. Whatever it returns,
 * the status itself is always recorded and visible in the message history.
 */
import type { Message } from '../model/types.js';
import type { Status } from '../model/vocabulary.js';
import type { Delivery, Destination } from '../model/destination.js';
import { rulesOf, sectionOf, type RuleDestination } from '../model/forwarding-rules.js';

export interface RoutingAccount {
  status_url?: string;
  forwarding?: unknown;
}

export function routeStatusChange(message: Message, status: Status, account: RoutingAccount): Delivery[] {
  const rules = rulesOf(account);
  if (!rules.enabled) return [];
  const section = sectionOf(message.channel);
  if (section === 'ott' && !rules.ott.statuses.includes(status)) return [];
  if (!requested(message, status, section)) return [];

  // A tool without a rule (an OTT message from SMPP, which cannot happen today) forwards nothing.
  const rule = (rules[section] as Record<string, RuleDestination | undefined>)[message.tool];
  if (!rule || rule.type === 'none') return [];
  const destination = rule.type === 'interface' ? interfaceDestination(message, account) : chosenDestination(rule);
  return destination ? [{ destination, format: rule.format }] : [];
}

/**
 * The sender's own request, where the tool records one. An SMS receipt is one thing: asking for
 * either kind asks for it. For OTT, `delivered` and `read` are each forwarded only if asked for;
 * the other statuses are left to the account's `ott.statuses`.
 */
function requested(message: Message, status: Status, section: 'sms' | 'ott'): boolean {
  const asked = message.receipt_request;
  if (asked === undefined) return true;
  if (section === 'sms') return asked.length > 0;
  return (status !== 'delivered' && status !== 'read') || asked.includes(status);
}

/**
 * The destination an interface fixes. API: the message's webhook_url, else the account's
 * status URL. Legacy XML: the notification URL given with the message. E-mail interface and
 * Outlook: the sender's address. SMPP: the customer's session, named by its system id.
 */
function interfaceDestination(message: Message, account: RoutingAccount): Destination | undefined {
  switch (message.tool) {
    case 'api': {
      const url = message.webhook_url ?? account.status_url;
      return url ? { type: 'url', url } : undefined;
    }
    case 'legacy_xml':
      return message.webhook_url ? { type: 'url', url: message.webhook_url } : undefined;
    case 'email':
    case 'outlook':
      return message.reply_to ? { type: 'email', address: message.reply_to } : undefined;
    case 'smpp':
      return message.reply_to ? { type: 'smpp', system_id: message.reply_to } : undefined;
    case 'suite':
      return undefined; // the suite has no destination of its own (the validator refuses it)
  }
}

function chosenDestination(rule: RuleDestination): Destination | undefined {
  switch (rule.type) {
    case 'url':
      return { type: 'url', url: rule.url };
    case 'email':
      return { type: 'email', address: rule.address };
    case 'sqs':
      return { type: 'sqs', queue_url: rule.queue_url };
    default:
      return undefined;
  }
}

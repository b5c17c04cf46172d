/**
 * Routing: from a status change and the account's settings to the deliveries it causes.
 * Pure: the same inputs always give the same list.
 */
import type { Message } from '../lifecycle/types.js';
import type { Status } from '../lifecycle/vocabulary.js';
import type { Delivery } from './types.js';

export interface RoutingAccount {
  status_url?: string;
  forwarding?: unknown;
}

export function routeStatusChange(message: Message, _status: Status, account: RoutingAccount): Delivery[] {
  // REST API messages: the per-message webhook_url wins over the account's status URL.
  const url = message.webhook_url ?? account.status_url;
  return url ? [{ destination: { type: 'url', url }, format: 'json' }] : [];
}

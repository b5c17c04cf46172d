/**
 * What the compose form's receipt switches ask for. SMS has one receipt (delivered); WhatsApp and
 * the other OTT channels report delivered and read, each forwarded only when switched on.
 * Failures are always forwarded (as the e-mail interface does); the account's forwarding rules
 * for the suite still decide whether and where anything goes.
 */
import { sectionOf, type Channel, type Status } from '../../model/vocabulary.js';
import type { Message } from '../../model/types.js';

export interface ReceiptSwitches {
  receipt: boolean;
  forwardDelivered: boolean;
  forwardRead: boolean;
}

const FAILURES: readonly Status[] = ['rejected', 'undeliverable'];

export function receiptChoice(channel: Channel, switches: ReceiptSwitches): Pick<Message, 'receipt_request' | 'receipt_statuses'> {
  const asked: Array<'delivered' | 'read'> =
    sectionOf(channel) === 'sms'
      ? switches.receipt ? ['delivered'] : []
      : [...(switches.forwardDelivered ? (['delivered'] as const) : []), ...(switches.forwardRead ? (['read'] as const) : [])];
  return { receipt_request: asked, receipt_statuses: [...asked, ...FAILURES] };
}

/**
 * SMPP delivery receipts, pure: which statuses a submit's `registered_delivery` asks for, the
 * `message_id` of each submitted part, and the mapping from a status (and its error code) to the
 * receipt's `stat:` / `err:` / `message_state` (SMPP 3.4 section 5.2.28 and Appendix B). The
 * README's table is this table.
 */
import type { SmppReceiptFacts } from './destination.js';
import type { Status } from './vocabulary.js';

/** SMPP 3.4 message_state values. */
export const MESSAGE_STATE = Object.freeze({
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
});

export interface ReceiptState {
  /** The `stat:` word of the receipt text. */
  stat: string;
  message_state: number;
  /** `dlvrd:` count. */
  delivered: boolean;
  /** Whether it is a final state (registered_delivery 1 and 2 report only these). */
  final: boolean;
  failure: boolean;
}

/** The error code carried by a TTL expiry (model/errors.ts). */
export const TTL_EXPIRED_CODE = 1360;

/**
 * status (+ error code) → receipt state. `rejected` with 1360 is the TTL running out: EXPIRED.
 * `read` never happens on SMS; it would be reported as delivered.
 */
export const RECEIPT_STATES: Readonly<Record<Status, ReceiptState>> = Object.freeze({
  submitted: { stat: 'ENROUTE', message_state: MESSAGE_STATE.ENROUTE, delivered: false, final: false, failure: false },
  delivered: { stat: 'DELIVRD', message_state: MESSAGE_STATE.DELIVERED, delivered: true, final: true, failure: false },
  read: { stat: 'DELIVRD', message_state: MESSAGE_STATE.DELIVERED, delivered: true, final: true, failure: false },
  rejected: { stat: 'REJECTD', message_state: MESSAGE_STATE.REJECTED, delivered: false, final: true, failure: true },
  undeliverable: { stat: 'UNDELIV', message_state: MESSAGE_STATE.UNDELIVERABLE, delivered: false, final: true, failure: true },
});

const EXPIRED: ReceiptState = { stat: 'EXPIRED', message_state: MESSAGE_STATE.EXPIRED, delivered: false, final: true, failure: true };

export function receiptState(status: Status, errorCode: number | undefined): ReceiptState {
  if (status === 'rejected' && errorCode === TTL_EXPIRED_CODE) return EXPIRED;
  return RECEIPT_STATES[status];
}

/** registered_delivery bits: 0x03 = SMSC delivery receipt (1 final, 2 failure only), 0x10 = intermediate. */
export function receiptWanted(registeredDelivery: number, status: Status): boolean {
  const state = RECEIPT_STATES[status];
  if (!state.final) return (registeredDelivery & 0x10) !== 0;
  const smsc = registeredDelivery & 0x03;
  if (smsc === 1) return true;
  if (smsc === 2) return state.failure;
  return false;
}

/** Whether routing sends a status to an SMPP return address at all. */
export function smppReceiptWanted(facts: SmppReceiptFacts | undefined, status: Status): boolean {
  return facts === undefined || receiptWanted(facts.registered_delivery, status);
}

/**
 * The message_id of part `part` (1-based) of `parts`: the message uuid's 32 hex digits, and for a
 * concatenated submit two more hex digits naming the part (lower-case hex throughout).
 */
export function smppMessageId(uuid: string, part: number, parts: number): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  return parts > 1 ? hex + part.toString(16).padStart(2, '0') : hex;
}

/** The message uuid a message_id names, or undefined if it is not one of ours. */
export function uuidOfSmppMessageId(messageId: string): string | undefined {
  const match = /^([0-9a-f]{32})([0-9a-f]{2})?$/i.exec(messageId);
  if (!match) return undefined;
  const h = match[1]!.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** YYMMDDhhmm in UTC. */
export function receiptDate(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

/** SMPP 3.4 Appendix B receipt text. `err` is the statusrelay error code, at least three digits. */
export function receiptText(fields: {
  id: string;
  state: ReceiptState;
  submittedAt: number;
  doneAt: number;
  errorCode?: number;
  text: string;
}): string {
  const err = String(fields.errorCode ?? 0).padStart(3, '0');
  return (
    `id:${fields.id} sub:001 dlvrd:${fields.state.delivered ? '001' : '000'} ` +
    `submit date:${receiptDate(fields.submittedAt)} done date:${receiptDate(fields.doneAt)} ` +
    `stat:${fields.state.stat} err:${err} text:${fields.text.slice(0, 20)}`
  );
}

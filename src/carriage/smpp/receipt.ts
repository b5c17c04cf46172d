/**
 * SMPP delivery receipts (docs/statuses.md): the receipt text
 *   id:<id> sub:<nnn> dlvrd:<nnn> submit date:<YYMMDDhhmm> done date:<YYMMDDhhmm> stat:<STATE> err:<nnn> text:<...>
 * and the TLVs receipted_message_id (0x001E) and message_state (0x0427). Where both say
 * something the TLV wins: it is typed, while the text format is a de-facto convention that
 * SMSCs bend (hex ids, long state names, missing fields). The network_error_code TLV (0x0423)
 * is carried along for errors.ts.
 */

export const RECEIPT_STATES = Object.freeze(['ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD'] as const);
export type ReceiptState = (typeof RECEIPT_STATES)[number];

/** message_state TLV values (SMPP 3.4 section 5.2.28); 0 and 9+ (SMPP 5.0) have no mapping. */
const STATE_BY_NUMBER: Readonly<Record<number, ReceiptState>> = Object.freeze(
  Object.fromEntries(RECEIPT_STATES.map((state, i) => [i + 1, state])),
);

/** Long spellings some SMSCs write into the text. */
const STATE_ALIASES: Readonly<Record<string, ReceiptState>> = Object.freeze({
  DELIVERED: 'DELIVRD',
  UNDELIVERABLE: 'UNDELIV',
  REJECTED: 'REJECTD',
  ACCEPTED: 'ACCEPTD',
});

export interface NetworkError {
  /** 1 ANSI-136, 2 IS-95, 3 GSM, 4 ANSI-136 cause code, 5 IS-95 cause code, 6 ANSI-41, 7 SMPP, 8 SMSC specific. */
  type: number;
  code: number;
}

export interface ReceiptInput {
  /** The receipt text (short_message or message_payload), if any. */
  text?: string;
  receiptedMessageId?: string;
  messageState?: number;
  networkError?: NetworkError;
}

export interface Receipt {
  /** The SMSC message id of the part the receipt is about. */
  ref: string;
  state: ReceiptState;
  /** The network error code of the text's err: field, as written. */
  err?: string;
  /** `done date` as epoch ms, read as UTC. */
  doneAt?: number;
  /** The network_error_code TLV. */
  networkError?: NetworkError;
}

export type ReceiptParse = { ok: true; receipt: Receipt } | { ok: false; reason: 'malformed' | 'unknown-state'; detail: string; ref?: string };

function field(text: string, name: string, pattern: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}:(${pattern})`, 'i').exec(text)?.[1];
}

/** YYMMDDhhmm or YYMMDDhhmmss as UTC; undefined unless it is a real date. */
export function parseReceiptDate(value: string | undefined): number | undefined {
  const m = value ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?$/.exec(value) : null;
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const at = Date.UTC(2000 + year, month - 1, day, hour, minute, second);
  const d = new Date(at);
  // Date.UTC rolls 31 February over into March: such a date was never written by a clock.
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return at;
}

function stateFromText(raw: string | undefined): ReceiptState | undefined {
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  return (RECEIPT_STATES as readonly string[]).includes(upper) ? (upper as ReceiptState) : STATE_ALIASES[upper];
}

export function parseReceipt(input: ReceiptInput): ReceiptParse {
  const text = input.text ?? '';
  const textId = field(text, 'id', '[^\\s]+');
  const rawState = field(text, 'stat', '[A-Za-z_]+');
  const ref = input.receiptedMessageId?.trim() || textId;
  if (!ref) return { ok: false, reason: 'malformed', detail: 'no message id in receipted_message_id or the receipt text' };

  let state: ReceiptState | undefined;
  if (input.messageState !== undefined) {
    state = STATE_BY_NUMBER[input.messageState];
    if (!state) return { ok: false, reason: 'unknown-state', detail: `message_state ${input.messageState} has no mapping`, ref };
  } else if (rawState === undefined) {
    return { ok: false, reason: 'malformed', detail: 'no stat: in the receipt text and no message_state TLV', ref };
  } else {
    state = stateFromText(rawState);
    if (!state) return { ok: false, reason: 'unknown-state', detail: `stat:${rawState} is not a receipt state`, ref };
  }
  const receipt: Receipt = { ref, state };
  const err = field(text, 'err', '[0-9A-Za-z]+');
  if (err !== undefined) receipt.err = err;
  const doneAt = parseReceiptDate(field(text, 'done date', '\\d{10,12}'));
  if (doneAt !== undefined) receipt.doneAt = doneAt;
  if (input.networkError !== undefined) receipt.networkError = input.networkError;
  return { ok: true, receipt };
}

/**
 * deliver_sm from the SMSC: receipts become part outcomes and, once the parts decide it, a
 * status report. Resolves with the command_status for the deliver_sm_resp, and only after what
 * the receipt said is stored (or parked), so a crash before that makes the SMSC send it again.
 * A receipt parked for an unknown id is applied from its parked fields once the id is known.
 */
import type { PDU } from 'smpp';
import type { ConnectorDeps } from '../deps.js';
import { believableTime } from '../deps.js';
import type { EarlyReports } from '../early-reports.js';
import type { Settlement } from './settlement.js';
import { parseReceipt, type Receipt } from './receipt.js';
import { RECEIPT_MEANING } from './states.js';
import { failureOf, readNetworkError, receiptCause, type NetworkError } from './errors.js';
import type { PartWriter } from './part-writer.js';
import type { MessagePart } from '../../store/store.js';
import { receiptKeysOfSubmitId, submitKeysOfReceiptId, type ReceiptIdType } from './message-ids.js';
import { createParkedReplay, type ParkedReplay } from '../parked-replay.js';

const ESME_ROK = 0;
/** esm_class bits 2-5 say what a deliver_sm is; 0x04 = SMSC delivery receipt. */
const MESSAGE_TYPE_MASK = 0x3c;
const DELIVERY_RECEIPT = 0x04;

/** The text of short_message or message_payload, whichever carries it. */
function receiptText(pdu: PDU): string | undefined {
  for (const value of [pdu.short_message, pdu.message_payload]) {
    const message = value?.message ?? value;
    if (typeof message === 'string' && message) return message;
    if (Buffer.isBuffer(message) && message.length) return message.toString('latin1');
  }
  return undefined;
}

/** What a receipt says, as plain data: parsed from, and parked as, this (operators read it too). */
interface ReceiptFields {
  source_addr?: unknown;
  esm_class?: unknown;
  text?: string;
  receipted_message_id?: unknown;
  message_state?: unknown;
  network_error_code?: NetworkError;
}

function fieldsOf(pdu: PDU): ReceiptFields {
  return {
    source_addr: pdu.source_addr,
    esm_class: pdu.esm_class,
    text: receiptText(pdu),
    receipted_message_id: pdu.receipted_message_id,
    message_state: pdu.message_state,
    network_error_code: readNetworkError(pdu.network_error_code),
  };
}

function parseFields(fields: ReceiptFields) {
  return parseReceipt({
    text: fields.text,
    receiptedMessageId: typeof fields.receipted_message_id === 'string' ? fields.receipted_message_id : undefined,
    messageState: typeof fields.message_state === 'number' ? fields.message_state : undefined,
    networkError: fields.network_error_code,
  });
}

/** The part a receipt's id names: the exact id, else the forms the SMSC may have rewritten it to. */
export async function findReceiptPart(
  store: ConnectorDeps['store'],
  ref: string,
  idType: ReceiptIdType,
): Promise<MessagePart | undefined> {
  const exact = await store.findMessagePart(ref);
  if (exact) return exact;
  for (const key of submitKeysOfReceiptId(ref, idType)) {
    const part = await store.findMessagePartByRefKey(key);
    if (part) return part;
  }
  return undefined;
}

export interface ReceiptHandler {
  onDeliver(pdu: PDU): Promise<number>;
  /** Receipts parked for unknown ids; the submitter tells it which ids became known. */
  replay: ParkedReplay;
}

export function createReceiptHandler(
  deps: ConnectorDeps,
  early: EarlyReports,
  settlement: Settlement,
  savePart: PartWriter,
  idType: ReceiptIdType,
): ReceiptHandler {
  const replay = createParkedReplay('smpp', deps, {
    async isKnown(ref) {
      const part = await findReceiptPart(deps.store, ref, idType);
      const message = part && (await deps.store.getMessage(part.message_uuid));
      return message !== undefined && message.state !== 'accepted';
    },
    async apply(payload) {
      const parsed = parseFields(JSON.parse(payload) as ReceiptFields);
      if (parsed.ok) await applyReceipt(parsed.receipt, payload);
    },
    refKeys: (ref) => receiptKeysOfSubmitId(ref, idType),
  });

  /** Waits for an id being stored; a receipt that wrote it in another form waits on the stored form. */
  async function lookup(ref: string): Promise<MessagePart | undefined> {
    const part = await early.lookup(ref, () => findReceiptPart(deps.store, ref, idType));
    const stored = part?.provider_ref;
    if (part === undefined || stored === undefined || stored === ref) return part;
    return early.lookup(stored, () => deps.store.findMessagePart(stored));
  }

  async function applyReceipt(receipt: Receipt, payload: string): Promise<void> {
    const meaning = RECEIPT_MEANING[receipt.state];
    // ENROUTE and ACCEPTD say nothing we did not know from the submit_sm_resp.
    if (!meaning.outcome) return;
    const part = await lookup(receipt.ref);
    if (!part) return replay.park(receipt.ref, `no message part with SMSC id ${receipt.ref}`, payload);
    // A part's first final receipt stands; a repeated or contradicting one changes nothing.
    if (part.outcome === undefined) {
      const failure = meaning.outcome === 'rejected' ? failureOf(receipt.state, receiptCause(receipt)) : {};
      await savePart({ ...part, outcome: meaning.outcome, ...failure, updated_at: deps.clock.now() });
    }
    await settlement.settle(part.message_uuid, believableTime(receipt.doneAt, deps.clock.now()));
  }

  async function onDeliver(pdu: PDU): Promise<number> {
    if (((pdu.esm_class ?? 0) & MESSAGE_TYPE_MASK) !== DELIVERY_RECEIPT) {
      // Mobile-originated messages and SME acks are not ours to handle; refusing them would
      // only make the SMSC send them again.
      deps.refusals.refuse('smpp', 'not-a-receipt', `deliver_sm with esm_class ${pdu.esm_class}`);
      return ESME_ROK;
    }
    const fields = fieldsOf(pdu);
    const payload = JSON.stringify(fields);
    const parsed = parseFields(fields);
    if (!parsed.ok) {
      await deps.refusals.park('smpp', parsed.reason, parsed.detail, payload, parsed.ref);
      return ESME_ROK;
    }
    await applyReceipt(parsed.receipt, payload);
    return ESME_ROK;
  }

  return { onDeliver, replay };
}

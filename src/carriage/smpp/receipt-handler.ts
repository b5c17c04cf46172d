/**
 * deliver_sm from the SMSC: receipts become part outcomes and, once the parts decide it, a
 * status report. Resolves with the command_status for the deliver_sm_resp, and only after what
 * the receipt said is stored (or parked), so a crash before that makes the SMSC send it again.
 */
import type { PDU } from 'smpp';
import type { ConnectorDeps } from '../deps.js';
import { believableTime } from '../deps.js';
import type { EarlyReports } from '../early-reports.js';
import type { Settlement } from './settlement.js';
import { parseReceipt } from './receipt.js';
import { RECEIPT_MEANING, failureOf } from './states.js';
import { readNetworkError, receiptCause } from './errors.js';
import type { PartWriter } from './part-writer.js';
import type { MessagePart } from '../../store/store.js';
import { submitKeysOfReceiptId, type ReceiptIdType } from './message-ids.js';

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

/** What an operator needs to see of a parked receipt. */
function describe(pdu: PDU): string {
  return JSON.stringify({
    source_addr: pdu.source_addr,
    esm_class: pdu.esm_class,
    text: receiptText(pdu),
    receipted_message_id: pdu.receipted_message_id,
    message_state: pdu.message_state,
    network_error_code: readNetworkError(pdu.network_error_code),
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

export function createReceiptHandler(
  deps: ConnectorDeps,
  early: EarlyReports,
  settlement: Settlement,
  savePart: PartWriter,
  idType: ReceiptIdType,
) {
  /** Waits for an id being stored; a receipt that wrote it in another form waits on the stored form. */
  async function lookup(ref: string): Promise<MessagePart | undefined> {
    const part = await early.lookup(ref, () => findReceiptPart(deps.store, ref, idType));
    const stored = part?.provider_ref;
    if (part === undefined || stored === undefined || stored === ref) return part;
    return early.lookup(stored, () => deps.store.findMessagePart(stored));
  }

  return async function onDeliver(pdu: PDU): Promise<number> {
    if (((pdu.esm_class ?? 0) & MESSAGE_TYPE_MASK) !== DELIVERY_RECEIPT) {
      // Mobile-originated messages and SME acks are not ours to handle; refusing them would
      // only make the SMSC send them again.
      deps.refusals.refuse('smpp', 'not-a-receipt', `deliver_sm with esm_class ${pdu.esm_class}`);
      return ESME_ROK;
    }
    const parsed = parseReceipt({
      text: receiptText(pdu),
      receiptedMessageId: typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : undefined,
      messageState: typeof pdu.message_state === 'number' ? pdu.message_state : undefined,
      networkError: readNetworkError(pdu.network_error_code),
    });
    if (!parsed.ok) {
      await deps.refusals.park('smpp', parsed.reason, parsed.detail, describe(pdu), parsed.ref);
      return ESME_ROK;
    }
    const { ref, state, doneAt } = parsed.receipt;
    const meaning = RECEIPT_MEANING[state];
    // ENROUTE and ACCEPTD say nothing we did not know from the submit_sm_resp.
    if (!meaning.outcome) return ESME_ROK;

    const part = await lookup(ref);
    if (!part) {
      await deps.refusals.park('smpp', 'unknown-id', `no message part with SMSC id ${ref}`, describe(pdu), ref);
      return ESME_ROK;
    }
    // A part's first final receipt stands; a repeated or contradicting one changes nothing.
    if (part.outcome === undefined) {
      const failure = meaning.outcome === 'rejected' ? failureOf(state, receiptCause(parsed.receipt)) : {};
      await savePart({ ...part, outcome: meaning.outcome, ...failure, updated_at: deps.clock.now() });
    }
    await settlement.settle(part.message_uuid, believableTime(doneAt, deps.clock.now()));
    return ESME_ROK;
  };
}

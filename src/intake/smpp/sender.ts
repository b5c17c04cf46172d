/**
 * The `smpp` destination's sender: a receipt (an outbox row like every other callback) goes out
 * as deliver_sm on a receiver or transceiver session of its system_id bound on this node. It
 * serves only those system_ids (servedKeys), so claims on a node leave other nodes' customers
 * alone. One deliver_sm per message_id the submit was answered with; acknowledged = every
 * deliver_sm_resp is ESME_ROK. It fits dispatch's Sender interface (dispatch/sender.ts)
 * structurally, so intake does not import dispatch.
 *
 * The receipt is written here from the stored row: the status is the row's, the error code and
 * time are read from the stored body (`error.type` ending in `#<code>`, `timestamp`; rows stored
 * as XML before the SMPP formats existed carry the same), the
 * rest from the facts the server recorded with the return address (model/destination.ts
 * SmppReceiptFacts). With the account's format `json` (body format `smpp_json`) the receipt
 * also carries that JSON callback in message_payload; SMPP 3.4 then wants short_message empty,
 * so the receipt text moves out (data_coding 4: the octets are UTF-8) and the TLVs (receipted_message_id, message_state,
 * network_error_code) carry the state.
 */
import { performance } from 'node:perf_hooks';
import type { ClaimedCallback } from '../../store/store.js';
import type { Verdict } from '../../model/retry.js';
import { destinationKey } from '../../model/destination.js';
import { receiptState, receiptText, smppMessageId } from '../../model/smpp-receipt.js';
import { STATUS } from './pdu.js';
import type { SmppServer } from './server.js';

export interface SmppSendOutcome {
  verdict: Verdict;
  statusCode?: number;
  error?: string;
  retryAfterMs?: number;
  durationMs: number;
}

export interface SmppSenderOptions {
  responseTimeoutMs: number;
  throttleMs: number;
}

/** network_error_code type 3 = GSM. */
const NETWORK_TYPE_GSM = 3;

export function errorCodeOf(body: string): number | undefined {
  const match = /#(\d{1,5})["<]/.exec(body);
  return match ? Number(match[1]) : undefined;
}

function timestampOf(body: string): number | undefined {
  const match = /"timestamp":"([^"]+)"|<timestamp>([^<]+)<\/timestamp>/.exec(body);
  const value = match ? Date.parse(match[1] ?? match[2]!) : NaN;
  return Number.isNaN(value) ? undefined : value;
}

/** The deliver_sm parameters of each part's receipt. */
export function receiptPdus(callback: ClaimedCallback): Array<Record<string, unknown>> {
  if (callback.destination.type !== 'smpp') throw new Error(`not an SMPP destination: ${callback.destination.type}`);
  const facts = callback.destination.receipt;
  const errorCode = errorCodeOf(callback.body);
  const state = receiptState(callback.status, errorCode);
  const doneAt = timestampOf(callback.body) ?? callback.created_at;
  const parts = facts?.parts ?? 1;
  const out: Array<Record<string, unknown>> = [];
  for (let part = 1; part <= parts; part++) {
    const id = smppMessageId(callback.message_uuid, part, parts);
    const params: Record<string, unknown> = {
      // Swapped: the receipt comes from the handset the submit went to.
      source_addr_ton: facts?.destination.ton ?? 1,
      source_addr_npi: facts?.destination.npi ?? 1,
      source_addr: facts?.destination.addr ?? callback.headline?.to ?? '',
      dest_addr_ton: facts?.source.ton ?? 0,
      dest_addr_npi: facts?.source.npi ?? 0,
      destination_addr: facts?.source.addr ?? '',
      esm_class: 0x04,
      data_coding: 0x01,
      receipted_message_id: id,
      message_state: state.message_state,
    };
    if (callback.format === 'smpp_json') {
      // 8-bit data: the octets are the callback's UTF-8 JSON, which no SMS alphabet holds.
      params.data_coding = 0x04;
      params.short_message = Buffer.alloc(0);
      params.message_payload = Buffer.from(callback.body, 'utf8');
    } else {
      const text = receiptText({ id, state, submittedAt: facts?.submitted_at ?? callback.created_at, doneAt, errorCode: state.failure ? errorCode : 0, text: facts?.text ?? '' });
      params.short_message = Buffer.from(text, 'latin1');
    }
    if (state.failure && errorCode !== undefined) {
      params.network_error_code = Buffer.from([NETWORK_TYPE_GSM, (errorCode >> 8) & 0xff, errorCode & 0xff]);
    }
    out.push(params);
  }
  return out;
}

/**
 * Receipts of multipart submits with some parts already acknowledged, by callback id: a retry
 * sends only the parts still missing. Kept in memory (bounded): after a restart, or on another
 * node, every part goes again, which an ESME sees as a repeated receipted_message_id.
 */
const MAX_REMEMBERED_RECEIPTS = 10_000;

export function createSmppSender(server: SmppServer, options: SmppSenderOptions) {
  const acknowledgedParts = new Map<string, Set<number>>();

  function remember(callbackId: string, parts: Set<number>): void {
    acknowledgedParts.delete(callbackId);
    if (acknowledgedParts.size >= MAX_REMEMBERED_RECEIPTS) acknowledgedParts.delete(acknowledgedParts.keys().next().value!);
    acknowledgedParts.set(callbackId, parts);
  }

  async function send(callback: ClaimedCallback, _now: number): Promise<SmppSendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (callback.destination.type !== 'smpp') {
      return { verdict: 'failed', error: `not an SMPP destination: ${callback.destination.type}`, durationMs: 0 };
    }
    const systemId = callback.destination.system_id;
    let pdus: Array<Record<string, unknown>>;
    try {
      pdus = receiptPdus(callback);
    } catch (error) {
      return { verdict: 'failed', error: `cannot write the receipt: ${(error as Error).message}`, durationMs: elapsed() };
    }
    const acknowledged = acknowledgedParts.get(callback.id) ?? new Set<number>();
    const answers = await Promise.all(
      pdus.map(async (params, part) => {
        if (acknowledged.has(part)) return { status: STATUS.ROK };
        const session = server.receiversOf(systemId)[0];
        if (!session) return { error: `no receiver session of ${systemId} bound here` };
        if (!(await session.acquire(options.responseTimeoutMs))) return { error: 'deliver_sm window full or paused' };
        try {
          const answer = await session.deliver(params, options.responseTimeoutMs);
          if (answer.status === STATUS.RTHROTTLED || answer.status === STATUS.RMSGQFUL) session.pause(options.throttleMs);
          if (answer.status === STATUS.ROK) acknowledged.add(part);
          return answer;
        } finally {
          session.release();
        }
      }),
    );
    if (acknowledged.size === pdus.length) acknowledgedParts.delete(callback.id);
    else if (acknowledged.size > 0) remember(callback.id, acknowledged);
    const bad = answers.find((answer) => answer.status !== STATUS.ROK);
    if (!bad) return { verdict: 'delivered', statusCode: 0, durationMs: elapsed() };
    const outcome: SmppSendOutcome = {
      verdict: 'retry',
      error: bad.status !== undefined ? `deliver_sm_resp command_status 0x${bad.status.toString(16).padStart(8, '0')}` : bad.error,
      durationMs: elapsed(),
    };
    if (bad.status !== undefined) outcome.statusCode = bad.status;
    if (bad.status === STATUS.RTHROTTLED || bad.status === STATUS.RMSGQFUL) outcome.retryAfterMs = options.throttleMs;
    return outcome;
  }

  return {
    send,
    servedKeys(): ReadonlySet<string> {
      return new Set([...server.boundSystemIds()].map((systemId) => destinationKey({ type: 'smpp', system_id: systemId })));
    },
    close: () => server.close(),
  };
}

/**
 * A stand-in SMSC played by the smpp package's own server, on 127.0.0.1. It binds one
 * system_id/password, answers submit_sm as the test says, and sends delivery receipts by text,
 * by TLV or both. It records everything it received so tests can look.
 *
 * Like a real SMSC it stores and forwards the receipts it generates itself (SmscOptions.receipt):
 * one not answered with a deliver_sm_resp, because the connection went down before it was sent
 * or answered, is sent again on the next bind. Receipts a test sends with sendReceipt() are
 * sent once, on the session it names.
 */
import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';
import { decodeGsm, readConcatHeader } from '../../src/carriage/smpp/gsm.js';
import { startReceiver, startRelay, waitFor, type Receiver, type RunningRelay } from './relay.js';
import { sendMessage } from './forwarding.js';

export interface ReceivedSubmit {
  id: string;
  to: string;
  from: string;
  sourceTon: number;
  text: string;
  dataCoding: number;
  registeredDelivery: number;
  concat?: { reference: number; total: number; seq: number };
  session: Session;
}

/** `ok` answers with the id; a number answers with that command_status; `silent` never answers; `drop` cuts the connection. */
export type SubmitAnswer = 'ok' | 'silent' | 'drop' | 'receipt-first' | number;

export interface ReceiptSpec {
  id: string;
  stat?: string;
  /** Send message_state / receipted_message_id TLVs (with this state number). */
  tlvState?: number;
  tlvId?: string;
  /** Replace the whole text. */
  text?: string;
  err?: string;
  esmClass?: number;
  /** The network_error_code TLV: network type (3 = GSM) and its error code. */
  networkError?: { type: number; code: number };
}

export interface Smsc {
  url: string;
  submits: ReceivedSubmit[];
  binds: number;
  /** command_status of every deliver_sm_resp, in order. */
  receiptAnswers: number[];
  sessions(): Session[];
  sendReceipt(spec: ReceiptSpec, session?: Session): Promise<number>;
  dropConnections(): void;
  close(): Promise<void>;
}

export interface SmscOptions {
  systemId?: string;
  password?: string;
  answer?: (submit: ReceivedSubmit, index: number) => SubmitAnswer;
  /** The receipt sent right after a submit is answered with `ok`; undefined sends none. */
  receipt?: (submit: ReceivedSubmit) => ReceiptSpec | undefined;
  /** The base of the message ids in submit_sm_resp (default hex, upper case). */
  submitIds?: 'hex' | 'decimal';
}

export const deliveredReceipt = (submit: ReceivedSubmit): ReceiptSpec => ({ id: submit.id, stat: 'DELIVRD' });

export function receiptText(spec: ReceiptSpec): string {
  if (spec.text !== undefined) return spec.text;
  return `id:${spec.id} sub:001 dlvrd:001 submit date:2611230930 done date:2611230931 stat:${spec.stat ?? 'DELIVRD'} err:${spec.err ?? '000'} text:Hello`;
}

/** The package decodes the text (GSM or UCS-2 by data_coding) and splits off the header's elements. */
function decodeText(pdu: PDU): { text: string; concat?: ReceivedSubmit['concat'] } {
  const message: unknown = pdu.short_message?.message;
  const element: Buffer | undefined = pdu.short_message?.udh?.[0];
  // Put the header length back in front so readConcatHeader sees a whole header.
  const concat = element ? readConcatHeader(Buffer.concat([Buffer.from([element.length]), element])) : undefined;
  const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? decodeGsm(message) : '';
  return { text, ...(concat ? { concat } : {}) };
}

export async function startSmsc(options: SmscOptions = {}): Promise<Smsc> {
  const systemId = options.systemId ?? 'relay';
  const password = options.password ?? 'secret';
  let nextId = 0x1000;
  const submits: ReceivedSubmit[] = [];
  const receiptAnswers: number[] = [];
  const state = { binds: 0 };
  /** Generated receipts not yet answered, by submit id, with the session last tried. */
  const owed = new Map<string, { spec: ReceiptSpec; session: Session }>();

  /** Sends a generated receipt and keeps it owed until the ESME answers it. */
  function forward(id: string, spec: ReceiptSpec, session: Session): void {
    owed.set(id, { spec, session });
    void sendReceipt(spec, session).then((status) => {
      if (status !== -1) owed.delete(id);
    });
  }

  /** After a bind: everything owed whose connection is gone goes out on the new one. */
  function forwardOwed(session: Session): void {
    for (const [id, item] of owed) {
      if (item.session !== session && !item.session.socket.writable) forward(id, item.spec, session);
    }
  }

  function sendReceipt(spec: ReceiptSpec, session: Session): Promise<number> {
    const params: Record<string, unknown> = {
      source_addr: '436641234567',
      destination_addr: 'ACME',
      esm_class: spec.esmClass ?? 0x04,
      short_message: receiptText(spec),
    };
    if (spec.tlvState !== undefined) params.message_state = spec.tlvState;
    if (spec.tlvId !== undefined) params.receipted_message_id = spec.tlvId;
    if (spec.networkError !== undefined) {
      const { type, code } = spec.networkError;
      params.network_error_code = Buffer.from([type, code >> 8, code & 0xff]);
    }
    return new Promise((resolve) => {
      const sent = session.deliver_sm(params, (answer) => {
        receiptAnswers.push(answer.command_status);
        resolve(answer.command_status);
      });
      if (!sent) resolve(-1);
    });
  }

  const server = smpp.createServer((session) => {
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu: PDU) => {
      const ok = pdu.system_id === systemId && pdu.password === password;
      if (ok) state.binds += 1;
      session.send(pdu.response(ok ? {} : { command_status: smpp.ESME_RBINDFAIL }));
      if (ok) setImmediate(() => forwardOwed(session));
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => {
      const decoded = decodeText(pdu);
      const submit: ReceivedSubmit = {
        id: options.submitIds === 'decimal' ? String(nextId++) : (nextId++).toString(16).toUpperCase(),
        to: pdu.destination_addr,
        from: pdu.source_addr,
        sourceTon: pdu.source_addr_ton,
        dataCoding: pdu.data_coding,
        registeredDelivery: pdu.registered_delivery,
        session,
        ...decoded,
      };
      const answer = options.answer?.(submit, submits.length) ?? 'ok';
      if (answer === 'drop') return session.destroy();
      if (answer === 'silent') return;
      if (typeof answer === 'number') return session.send(pdu.response({ command_status: answer }));
      submits.push(submit);
      const receipt = options.receipt?.(submit);
      if (answer === 'receipt-first' && receipt) {
        // The receipt goes out before the submit_sm_resp, as some SMSCs do under load.
        forward(submit.id, receipt, session);
        session.send(pdu.response({ message_id: submit.id }));
        return;
      }
      session.send(pdu.response({ message_id: submit.id }));
      // Owed from now on: a drop before the setImmediate runs must not lose it.
      if (receipt) {
        owed.set(submit.id, { spec: receipt, session });
        setImmediate(() => forward(submit.id, receipt, session));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smpp://${systemId}:${password}@127.0.0.1:${port}`,
    submits,
    get binds() {
      return state.binds;
    },
    receiptAnswers,
    sessions: () => [...server.sessions],
    sendReceipt: (spec, session) => sendReceipt(spec, session ?? server.sessions[0]),
    dropConnections() {
      for (const session of [...server.sessions]) session.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const session of [...server.sessions]) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Fast reconnects and throttling for SMPP tests. */
export const SMPP_ENV = { SMSC_RECONNECT_BASE_MS: '50', SMSC_RECONNECT_CAP_MS: '200', SMSC_THROTTLE_MS: '50', SMSC_RECEIPT_HOLD_MS: '2000' };

export interface SmscRig {
  smsc: Smsc;
  relay: RunningRelay;
  receiver: Receiver;
  send(overrides?: Record<string, unknown>): Promise<string>;
  statuses(uuid: string): string[];
  callbacks(uuid: string): any[];
}

/** A stand-in SMSC, a receiver and a relay bound to the SMSC; `open` closes them after the file's tests. */
export async function startSmscRig(
  open: { push(...closers: Array<() => Promise<void>>): void },
  smscOptions: SmscOptions = {},
  env: Record<string, string> = {},
): Promise<SmscRig> {
  const smsc = await startSmsc(smscOptions);
  const receiver = await startReceiver();
  const relay = await startRelay({ SMSC_URL: smsc.url, ...SMPP_ENV, ...env });
  open.push(() => smsc.close(), () => receiver.close(), () => relay.stop());
  await waitFor(() => smsc.binds > 0, 5_000, 'the relay to bind');
  const callbacks = (uuid: string) => receiver.received.map((r) => r.json).filter((j) => j.message_uuid === uuid);
  return {
    smsc,
    relay,
    receiver,
    send: (overrides = {}) => sendMessage(relay, { webhook_url: receiver.url, ...overrides }),
    callbacks,
    statuses: (uuid) => callbacks(uuid).map((c) => c.status),
  };
}

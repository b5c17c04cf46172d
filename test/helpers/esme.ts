/**
 * A customer's ESME played by the smpp package: binds to statusrelay's SMPP server on
 * 127.0.0.1, submits, and records every deliver_sm it gets (answered as the test says).
 */
import net from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

export interface ReceivedReceipt {
  pdu: PDU;
  text: string;
  at: number;
}

export interface Esme {
  session: Session;
  receipts: ReceivedReceipt[];
  /** Every PDU the server sent that was not a response to us. */
  requests: PDU[];
  /** Sends a request and resolves with its response. */
  request(command: string, params?: Record<string, unknown>): Promise<PDU>;
  bind(type: 'transmitter' | 'receiver' | 'transceiver', systemId: string, password: string, extra?: Record<string, unknown>): Promise<PDU>;
  submit(params: Record<string, unknown>): Promise<PDU>;
  closed: Promise<void>;
  close(): Promise<void>;
}

export interface EsmeOptions {
  /** command_status for each deliver_sm (default 0); 'silent' never answers. */
  answerDeliver?: (pdu: PDU, index: number) => number | 'silent';
}

export function connectEsme(address: string, options: EsmeOptions = {}): Promise<Esme> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const session = smpp.connect({ host, port });
    const receipts: ReceivedReceipt[] = [];
    const requests: PDU[] = [];
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => (closedResolve = r));
    session.on('close', () => closedResolve());
    session.on('error', () => {});
    session.on('pdu', (pdu: PDU) => {
      if (pdu.isResponse()) return;
      requests.push(pdu);
      if (pdu.command === 'deliver_sm') {
        const message = pdu.short_message?.message;
        const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('latin1') : '';
        const answer = options.answerDeliver?.(pdu, receipts.length) ?? 0;
        receipts.push({ pdu, text, at: Date.now() });
        if (answer !== 'silent') session.send(pdu.response(answer ? { command_status: answer } : {}));
      } else if (pdu.command === 'enquire_link') {
        session.send(pdu.response());
      } else if (pdu.command === 'unbind') {
        session.send(pdu.response());
        session.close();
      }
    });
    session.once('connect', () => {
      const request = (command: string, params: Record<string, unknown> = {}) =>
        new Promise<PDU>((done, fail) => {
          const sent = session.send(new smpp.PDU(command, params), (response) => done(response));
          if (!sent) fail(new Error('session closed'));
        });
      resolve({
        session,
        receipts,
        requests,
        request,
        bind: (type, system_id, password, extra = {}) => request(`bind_${type}`, { system_id, password, interface_version: 0x34, ...extra }),
        submit: (params) => request('submit_sm', { source_addr_ton: 5, source_addr: 'ACME', dest_addr_ton: 1, dest_addr_npi: 1, ...params }),
        closed,
        close: () =>
          new Promise<void>((done) => {
            if (!session.socket.writable) return done();
            session.unbind({}, () => session.close());
            const timer = setTimeout(() => session.destroy(), 1000);
            void closed.then(() => {
              clearTimeout(timer);
              done();
            });
          }),
      });
    });
    session.once('error', reject);
  });
}

/** A raw TCP client for malformed PDUs. */
export function rawConnect(address: string): Promise<net.Socket> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(address.slice(i + 1)), address.slice(0, i), () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A submit_sm built by hand: header + body octets. */
export function rawPdu(commandId: number, sequence: number, body: Buffer, claimedLength?: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(claimedLength ?? 16 + body.length, 0);
  header.writeUInt32BE(commandId, 4);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}

/** SMPP relative validity: `seconds` from now. */
export function relativeValidity(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `0000${two(d)}${two(h)}${two(m)}${two(s)}000R`;
}

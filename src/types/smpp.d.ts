/** The part of smpp@0.5.1 that statusrelay uses (the package ships no types). */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  /** A decoded PDU: header fields plus whatever parameters and TLVs the command carries. */
  export interface PDU {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    [field: string]: any;
  }

  export class Session extends EventEmitter {
    socket: import('node:net').Socket;
    send(pdu: PDU, onResponse?: (pdu: PDU) => void, onSent?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, onResponse?: (pdu: PDU) => void): boolean;
    submit_sm(options: Record<string, unknown>, onResponse?: (pdu: PDU) => void): boolean;
    deliver_sm(options: Record<string, unknown>, onResponse?: (pdu: PDU) => void): boolean;
    enquire_link(options?: Record<string, unknown>, onResponse?: (pdu: PDU) => void): boolean;
    unbind(options?: Record<string, unknown>, onResponse?: (pdu: PDU) => void): boolean;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  /** The CommonJS module object; import it as a default import (its error constants are not static named exports). */
  interface Smpp {
    connect(options: { host: string; port: number; [option: string]: unknown }): Session;
    createServer(listener: (session: Session) => void): Server;
    PDU: new (command: string, options?: Record<string, unknown>) => PDU;
    ESME_ROK: number;
    ESME_RTHROTTLED: number;
    ESME_RMSGQFUL: number;
    ESME_RINVDSTADR: number;
    ESME_RBINDFAIL: number;
    ESME_RX_T_APPN: number;
    ESME_RSYSERR: number;
  }
  const smpp: Smpp;
  export default smpp;
}

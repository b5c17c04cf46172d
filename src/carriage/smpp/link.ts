/**
 * One SMPP transceiver bind to the SMSC, kept up: connect, bind_transceiver, enquire_link
 * while idle, and after any drop reconnect with backoff and bind again. Each connection gets a
 * fresh smpp Session so that nothing (sequence numbers, pending callbacks) leaks across drops.
 *
 * Submits still waiting for their submit_sm_resp when the connection drops fail with
 * LinkDownError; the caller resends them (the SMSC may have taken some: at-least-once).
 */
import smpp, { type PDU, type Session } from 'smpp';
import type { Logger } from 'pino';
import { backoffMs } from '../../model/retry.js';
import type { SmppConfig } from './options.js';
import type { Clock, TimerHandle } from '../../model/clock.js';

export class LinkDownError extends Error {
  constructor() {
    super('SMPP link went down before the answer');
    this.name = 'LinkDownError';
  }
}

export interface SmppLinkEvents {
  /** Bound (again): queued work can flow. */
  onBound(): void;
  /** A deliver_sm; resolves with the command_status to answer it with. */
  onDeliver(pdu: PDU): Promise<number>;
}

export interface SmppLink {
  start(): void;
  stop(): Promise<void>;
  isBound(): boolean;
  submit(params: Record<string, unknown>): Promise<PDU>;
  /** Drops the connection (and reconnects): e.g. after the SMSC forgot the bind. */
  reset(reason: string): void;
}

export function createSmppLink(config: SmppConfig, events: SmppLinkEvents, logger: Logger, clock: Clock): SmppLink {
  let session: Session | undefined;
  let bound = false;
  let stopped = true;
  let failures = 0;
  let reconnectTimer: TimerHandle | undefined;
  let enquireTimer: TimerHandle | undefined;
  const pending = new Map<number, (error: Error) => void>();

  function connect(): void {
    const current = smpp.connect({ host: config.host, port: config.port });
    session = current;
    current.on('error', (error: Error) => logger.warn({ err: error }, 'SMSC connection error'));
    current.on('connect', () => bind(current));
    current.on('close', () => closed(current));
    current.on('enquire_link', (pdu: PDU) => current.send(pdu.response()));
    current.on('unbind', (pdu: PDU) => {
      current.send(pdu.response());
      current.close();
    });
    current.on('deliver_sm', (pdu: PDU) => {
      // Answered only after the handler stored what the receipt said (or parked it).
      events.onDeliver(pdu).then(
        (status) => current.send(pdu.response({ command_status: status })),
        () => current.send(pdu.response({ command_status: smpp.ESME_RX_T_APPN })),
      );
    });
  }

  function bind(current: Session): void {
    const params = {
      system_id: config.systemId,
      password: config.password,
      system_type: config.systemType,
      interface_version: config.interfaceVersion,
    };
    current.bind_transceiver(params, (pdu) => {
      if (pdu.command_status !== 0) {
        logger.error({ command_status: pdu.command_status }, 'SMSC refused the bind');
        current.destroy();
        return;
      }
      bound = true;
      failures = 0;
      logger.info({ host: config.host, port: config.port }, 'bound to SMSC');
      keepAlive(current);
      events.onBound();
    });
  }

  /** enquire_link every period; no answer within the period means the link is dead. */
  function keepAlive(current: Session): void {
    clock.clearTimeout(enquireTimer);
    let answered = true;
    const tick = () => {
      enquireTimer = clock.setTimeout(tick, config.enquireLinkMs);
      if (!answered) return reset('enquire_link unanswered');
      answered = false;
      current.enquire_link({}, () => {
        answered = true;
      });
    };
    enquireTimer = clock.setTimeout(tick, config.enquireLinkMs);
  }

  function closed(current: Session): void {
    if (session !== current) return;
    session = undefined;
    bound = false;
    clock.clearTimeout(enquireTimer);
    for (const fail of pending.values()) fail(new LinkDownError());
    pending.clear();
    if (stopped) return;
    failures += 1;
    const wait = backoffMs(failures, config.reconnect, clock.random());
    logger.warn({ retryInMs: wait, failures }, 'SMSC link down, reconnecting');
    reconnectTimer = clock.setTimeout(connect, wait);
  }

  function reset(reason: string): void {
    logger.warn({ reason }, 'dropping SMSC connection');
    session?.destroy();
  }

  return {
    start() {
      stopped = false;
      connect();
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(reconnectTimer);
      clock.clearTimeout(enquireTimer);
      const current = session;
      if (!current) return;
      // A polite unbind, but never wait long for an SMSC that does not answer it.
      await new Promise<void>((resolve) => {
        const timer = clock.setTimeout(() => current.destroy(), 1_000);
        current.socket.once('close', () => {
          clock.clearTimeout(timer);
          resolve();
        });
        if (!bound || !current.unbind({}, () => current.close())) current.destroy();
      });
    },
    isBound: () => bound,
    submit(params) {
      return new Promise((resolve, reject) => {
        const current = session;
        if (!current || !bound) return reject(new LinkDownError());
        const pdu = new smpp.PDU('submit_sm', params);
        const sent = current.send(pdu, (answer) => {
          pending.delete(pdu.sequence_number);
          resolve(answer);
        });
        if (!sent) {
          // The socket is no longer writable: the connection is going down and its 'close' has
          // not run yet. Not bound from here on, so nothing is handed over until the next bind;
          // a caller that resubmits at once would otherwise be refused again and again in
          // microtasks, starving the event loop so that the 'close' (and reconnect) never ran.
          bound = false;
          current.destroy();
          return reject(new LinkDownError());
        }
        pending.set(pdu.sequence_number, reject);
      });
    },
    reset,
  };
}

/**
 * The SMPP server: customers' ESMEs bind to statusrelay as to an SMSC, submit with submit_sm and
 * get their receipts back as deliver_sm on their own sessions (the sender in sender.ts). Built on
 * the smpp package's server; the submit_sm body is read from the raw bytes (pdu.ts, text.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import smpp, { type PDU, type Server, type Session } from 'smpp';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../model/clock.js';
import type { Message } from '../../model/types.js';
import { encodeSms } from '../../model/gsm.js';
import { MESSAGE_STATE, smppMessageId, uuidOfSmppMessageId } from '../../model/smpp-receipt.js';
import type { AcceptPort } from '../accept.js';
import { TokenBuckets } from '../rate-limit.js';
import { authenticateSmpp } from './credentials.js';
import type { SmppServerConfig } from './options.js';
import { parseSubmitSm, Refusal, smppAbsoluteTime, STATUS, validityTtl, type RawSubmit } from './pdu.js';
import { CustomerSession, type BindType } from './session.js';
import { submitText, type Concat } from './text.js';

export interface SmppServerDeps {
  store: Store;
  accept: AcceptPort;
  logger: Logger;
  clock: Clock;
  config: SmppServerConfig;
  /** A receiver or transceiver of this system_id bound here: its waiting receipts can go. */
  onReceiverBound: (systemId: string) => void;
}

/** The largest PDU accepted; one claiming more closes the session. */
export const MAX_PDU_BYTES = 64 * 1024;
const SERVER_SYSTEM_ID = 'statusrelay';
const BIND_TYPES: Record<string, BindType> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};
/** Destination: an international number, 7 to 15 digits (as in the REST API). */
const DESTINATION = /^\+?(\d{7,15})$/;
/** Source: a number of 3 to 15 digits, or up to 11 alphanumeric characters. */
const NUMERIC_SOURCE = /^\+?(\d{3,15})$/;
const ALPHANUMERIC_SOURCE = /^[A-Za-z0-9 .\-_&]{1,11}$/;

interface HeldPart {
  session: CustomerSession;
  pdu: PDU;
  text: string;
  submit: RawSubmit;
}

/** How long a bound session counts for its account if its node stops renewing (it died). */
const SESSION_LEASE_MS = 60_000;

interface Assembly {
  total: number;
  parts: Map<number, HeldPart>;
  timer: object;
}

export function createSmppServer(deps: SmppServerDeps) {
  const { store, accept, logger, clock, config } = deps;
  const log = logger.child({ component: 'smpp-server' });
  // The package's global limit (default 16 KiB); a larger command_length closes the session.
  (smpp.PDU as unknown as { maxLength: number }).maxLength = MAX_PDU_BYTES;

  const sessions = new Set<CustomerSession>();
  const assemblies = new Map<string, Assembly>();
  const inFlight = new Set<Promise<unknown>>();
  const limiter = new TokenBuckets(() => clock.now());
  /** The store lease of each bound session (the account's session limit counts every node's). */
  const leases = new Map<CustomerSession, string>();
  let renewal = clock.setTimeout(renewLeases, SESSION_LEASE_MS / 3);
  const servers: Server[] = [];
  let nextSessionId = 1;
  let stopping = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  };

  function answer(s: CustomerSession, pdu: PDU, status: number, fields: Record<string, unknown> = {}): void {
    if (s.closed) return;
    s.session.send(pdu.response(status === STATUS.ROK ? fields : { command_status: status }));
  }

  function onSession(session: Session): void {
    const s = new CustomerSession(session, nextSessionId++, clock, config.window);
    sessions.add(s);
    let idle = clock.setTimeout(onIdle, config.idleMs);
    function onIdle(): void {
      log.info({ session: s.id, system_id: s.systemId }, 'SMPP session idle: unbinding');
      closeSession(s, 'idle');
    }
    session.on('error', (error: Error) => {
      log.warn({ session: s.id, system_id: s.systemId, err: error.message }, 'SMPP session error: closing');
      session.destroy();
    });
    session.on('close', () => {
      clock.clearTimeout(idle);
      s.markClosed();
      sessions.delete(s);
      const lease = leases.get(s);
      if (lease) {
        leases.delete(s);
        track(store.releaseSmppSession(lease)).catch((error) => log.warn({ session: s.id, err: error }, 'SMPP session lease not released; it expires'));
      }
      for (const [key, assembly] of assemblies) {
        for (const [seq, part] of assembly.parts) if (part.session === s) assembly.parts.delete(seq);
        if (assembly.parts.size === 0) {
          clock.clearTimeout(assembly.timer);
          assemblies.delete(key);
        }
      }
    });
    session.on('pdu', (pdu: PDU) => {
      clock.clearTimeout(idle);
      idle = clock.setTimeout(onIdle, config.idleMs);
      const raw = s.lastRaw;
      try {
        handle(s, pdu, raw);
      } catch (error) {
        log.error({ session: s.id, err: error }, 'SMPP PDU handling failed');
        if (!pdu.isResponse()) answer(s, pdu, STATUS.RSYSERR);
      }
    });
  }

  function handle(s: CustomerSession, pdu: PDU, raw: Buffer | undefined): void {
    if (pdu.isResponse()) return; // deliver_sm_resp, unbind_resp, enquire_link_resp: answered through callbacks
    const bindType = BIND_TYPES[pdu.command];
    if (bindType) return void track(bind(s, pdu, bindType));
    switch (pdu.command) {
      case 'unknown':
        return void s.session.send(pdu.response()); // generic_nack, ESME_RINVCMDID
      case 'enquire_link':
        return answer(s, pdu, STATUS.ROK);
      case 'unbind':
        answer(s, pdu, STATUS.ROK);
        s.bind = undefined;
        return void s.session.close();
      case 'submit_sm':
        if (!s.bind || !s.canSubmit() || s.binding) return answer(s, pdu, STATUS.RINVBNDSTS);
        return void track(submit(s, pdu, raw));
      case 'query_sm':
        if (!s.bind || !s.canSubmit() || s.binding) return answer(s, pdu, STATUS.RINVBNDSTS);
        return void track(query(s, pdu));
      case 'deliver_sm':
      case 'outbind':
      case 'alert_notification':
        // What an SMSC sends, not what it receives.
        return answer(s, pdu, s.bind ? STATUS.RINVCMDID : STATUS.RINVBNDSTS);
      default:
        if (!s.bind) return answer(s, pdu, STATUS.RINVBNDSTS);
        return answer(s, pdu, STATUS.RINVCMDID);
    }
  }

  async function bind(s: CustomerSession, pdu: PDU, type: BindType): Promise<void> {
    if (s.bind || s.binding) return answer(s, pdu, STATUS.RALYBND);
    if (stopping) return answer(s, pdu, STATUS.RBINDFAIL);
    s.binding = true;
    try {
      const systemId = String(pdu.system_id ?? '');
      const credential = await authenticateSmpp(store, systemId, String(pdu.password ?? ''));
      if (!credential) {
        log.info({ session: s.id, system_id: systemId }, 'SMPP bind refused: unknown system_id or wrong password');
        return answer(s, pdu, STATUS.RBINDFAIL);
      }
      const lease = { id: randomUUID(), account_id: credential.account_id, system_id: systemId, expires_at: clock.now() + SESSION_LEASE_MS };
      if (!(await store.claimSmppSession(lease, credential.max_sessions, clock.now()))) {
        log.warn({ session: s.id, system_id: systemId, max_sessions: credential.max_sessions }, 'SMPP bind refused: the account has max_sessions sessions bound (on all nodes)');
        return answer(s, pdu, STATUS.RBINDFAIL);
      }
      if (s.closed) return void (await store.releaseSmppSession(lease.id));
      leases.set(s, lease.id);
      s.bind = type;
      s.credential = credential;
      const version = Number(pdu.interface_version ?? 0);
      answer(s, pdu, STATUS.ROK, { system_id: SERVER_SYSTEM_ID, ...(version >= 0x34 ? { sc_interface_version: 0x34 } : {}) });
      log.info({ session: s.id, system_id: systemId, bind: type, interface_version: version }, 'SMPP session bound');
      if (s.canReceive()) deps.onReceiverBound(systemId);
    } finally {
      s.binding = false;
    }
  }

  function check(submit: RawSubmit): { to: string; from: string } {
    const to = DESTINATION.exec(submit.destination.addr)?.[1];
    if (!to || submit.destination.ton === 5) throw new Refusal(STATUS.RINVDSTADR, `destination_addr ${JSON.stringify(submit.destination.addr)} is not an international number of 7 to 15 digits`);
    const numeric = NUMERIC_SOURCE.exec(submit.source.addr)?.[1];
    const from = submit.source.ton === 5 ? (ALPHANUMERIC_SOURCE.test(submit.source.addr) ? submit.source.addr : undefined) : (numeric ?? (ALPHANUMERIC_SOURCE.test(submit.source.addr) ? submit.source.addr : undefined));
    if (!from) throw new Refusal(STATUS.RINVSRCADR, `source_addr ${JSON.stringify(submit.source.addr)} is neither a number nor up to 11 alphanumeric characters`);
    if (submit.schedule_delivery_time !== '') throw new Refusal(STATUS.RINVSCHED, 'schedule_delivery_time is not supported');
    if ((submit.esm_class & 0x03) === 0x02 || (submit.esm_class & 0x3c) !== 0) {
      throw new Refusal(STATUS.RINVESMCLASS, `esm_class 0x${submit.esm_class.toString(16)} is not a plain submit (datagram/store-and-forward, optional UDHI)`);
    }
    return { to, from };
  }

  async function submit(s: CustomerSession, pdu: PDU, raw: Buffer | undefined): Promise<void> {
    const credential = s.credential!;
    try {
      if (stopping) throw new Refusal(STATUS.RSYSERR, 'statusrelay is shutting down');
      if (limiter.take(credential.account_id, credential.submit_rate) > 0) throw new Refusal(STATUS.RTHROTTLED, 'submit rate of the account exceeded');
      if (!raw) throw new Refusal(STATUS.RSYSERR, 'raw PDU not available');
      const parsed = parseSubmitSm(raw);
      check(parsed);
      validityTtl(parsed.validity_period, clock.now());
      const { text, concat } = submitText(parsed);
      if (!concat) {
        const message = await store1(s, [{ session: s, pdu, text, submit: parsed }]);
        return answer(s, pdu, STATUS.ROK, { message_id: smppMessageId(message.uuid, 1, 1) });
      }
      await hold(s, pdu, parsed, text, concat);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(STATUS.RSYSERR, `could not store: ${(error as Error).message}`);
      const level = refusal.status === STATUS.RSYSERR ? 'error' : 'info';
      log[level]({ session: s.id, system_id: credential.system_id, status: refusal.status, reason: refusal.message }, 'SMPP submit_sm refused');
      answer(s, pdu, refusal.status);
    }
  }

  /** Holds a part of a concatenated submit until all arrived; then stores the message once. */
  async function hold(s: CustomerSession, pdu: PDU, parsed: RawSubmit, text: string, concat: Concat): Promise<void> {
    const key = [s.systemId, parsed.source.addr, parsed.destination.addr, concat.reference, concat.total].join('|');
    let assembly = assemblies.get(key);
    if (!assembly) {
      const timer = clock.setTimeout(() => {
        const timedOut = assemblies.get(key);
        if (!timedOut) return;
        assemblies.delete(key);
        log.warn({ system_id: s.systemId, reference: concat.reference, got: timedOut.parts.size, total: concat.total }, 'SMPP concatenated submit incomplete: parts refused');
        for (const part of timedOut.parts.values()) answer(part.session, part.pdu, STATUS.RSYSERR);
      }, config.concatTimeoutMs);
      assembly = { total: concat.total, parts: new Map(), timer };
      assemblies.set(key, assembly);
    }
    const previous = assembly.parts.get(concat.seq);
    if (previous) answer(previous.session, previous.pdu, STATUS.RSYSERR);
    assembly.parts.set(concat.seq, { session: s, pdu, text, submit: parsed });
    if (assembly.parts.size < assembly.total) return;
    assemblies.delete(key);
    clock.clearTimeout(assembly.timer);
    const parts = [...assembly.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
    try {
      const message = await store1(s, parts);
      parts.forEach((part, index) => answer(part.session, part.pdu, STATUS.ROK, { message_id: smppMessageId(message.uuid, index + 1, parts.length) }));
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(STATUS.RSYSERR, `could not store: ${(error as Error).message}`);
      log.warn({ system_id: s.systemId, status: refusal.status, reason: refusal.message }, 'SMPP concatenated submit_sm refused');
      for (const part of parts) answer(part.session, part.pdu, refusal.status);
    }
  }

  /** Stores the message made of `parts` (one for a plain submit) through the accept port. */
  async function store1(s: CustomerSession, parts: HeldPart[]): Promise<Message> {
    const first = parts[0]!.submit;
    const { to, from } = check(first);
    const text = parts.map((part) => part.text).join('');
    if (text.length === 0) throw new Refusal(STATUS.RINVMSGLEN, 'empty message');
    try {
      encodeSms(text);
    } catch {
      throw new Refusal(STATUS.RINVMSGLEN, 'the text needs more than 255 SMS parts');
    }
    const now = clock.now();
    const ttl = validityTtl(first.validity_period, now);
    return accept({
      account_id: s.credential!.account_id,
      interface: 'smpp',
      first: { channel: 'sms', message_type: 'text', to, from, text, ...(ttl !== undefined ? { ttl } : {}) },
      failover: [],
      return_to: {
        type: 'smpp',
        system_id: s.systemId!,
        receipt: {
          registered_delivery: first.registered_delivery & 0x13,
          parts: parts.length,
          source: first.source,
          destination: first.destination,
          text: [...text].slice(0, 20).join(''),
          submitted_at: now,
        },
      },
    });
  }

  async function query(s: CustomerSession, pdu: PDU): Promise<void> {
    const messageId = String(pdu.message_id ?? '');
    const uuid = uuidOfSmppMessageId(messageId);
    if (!uuid) return answer(s, pdu, STATUS.RINVMSGID);
    const message = await store.getMessage(uuid).catch(() => undefined);
    if (!message || message.account_id !== s.credential!.account_id) return answer(s, pdu, STATUS.RQUERYFAIL);
    const events = message.state === 'rejected' ? await store.listEvents(uuid) : [];
    const expired = events.some((event) => event.status === 'rejected' && event.error?.type.endsWith('#1360'));
    const state = {
      accepted: MESSAGE_STATE.ACCEPTED,
      submitted: MESSAGE_STATE.ENROUTE,
      delivered: MESSAGE_STATE.DELIVERED,
      read: MESSAGE_STATE.DELIVERED,
      rejected: expired ? MESSAGE_STATE.EXPIRED : MESSAGE_STATE.REJECTED,
      undeliverable: MESSAGE_STATE.UNDELIVERABLE,
    }[message.state];
    const final = !['accepted', 'submitted'].includes(message.state);
    answer(s, pdu, STATUS.ROK, {
      message_id: messageId,
      final_date: final ? smppAbsoluteTime(message.updated_at) : '',
      message_state: state,
      error_code: 0,
    });
  }

  /** Sends unbind, waits briefly for unbind_resp, closes. */
  function renewLeases(): void {
    const ids = [...leases.values()];
    const renewed = ids.length > 0 ? store.renewSmppSessions(ids, clock.now() + SESSION_LEASE_MS) : Promise.resolve();
    renewed
      .catch((error) => log.warn({ err: error }, 'SMPP session leases not renewed'))
      .finally(() => {
        if (!stopping) renewal = clock.setTimeout(renewLeases, SESSION_LEASE_MS / 3);
      });
  }

  function closeSession(s: CustomerSession, why: string): Promise<void> {
    return new Promise((resolve) => {
      if (s.closed) return resolve();
      const timer = clock.setTimeout(() => s.session.destroy(), 1_000);
      s.session.once('close', () => {
        clock.clearTimeout(timer);
        resolve();
      });
      const sent = s.session.unbind({}, () => s.session.close());
      if (!sent) s.session.destroy();
      log.debug({ session: s.id, why }, 'SMPP unbind sent');
    });
  }

  async function listenOne(server: Server, port: number): Promise<string> {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
  }

  return {
    /** Receiver-capable sessions of a system_id, least loaded first. */
    receiversOf(systemId: string): CustomerSession[] {
      return [...sessions].filter((s) => s.systemId === systemId && s.canReceive()).sort((a, b) => a.load() - b.load());
    },
    /** `smpp:<system_id>` of every system_id with a receiver or transceiver bound here. */
    boundSystemIds(): Set<string> {
      const ids = new Set<string>();
      for (const s of sessions) if (s.canReceive() && s.systemId) ids.add(s.systemId);
      return ids;
    },
    /** Starts the listeners; resolves with their addresses (empty when SMPP_SERVER_PORT is 0 and no TLS). */
    async listen(): Promise<{ plain?: string; tls?: string }> {
      const out: { plain?: string; tls?: string } = {};
      if (config.port > 0) {
        out.plain = await listenOne(smpp.createServer(onSession), config.port);
      }
      if (config.tls) {
        const tlsServer = (smpp.createServer as unknown as (options: object, listener: (session: Session) => void) => Server)(
          { key: config.tls.key, cert: config.tls.cert },
          onSession,
        );
        out.tls = await listenOne(tlsServer, config.tls.port);
      }
      if (out.plain || out.tls) log.info(out, 'SMPP server listening');
      return out;
    },
    /** Listen on an explicit port (tests: port 0 = any free port). */
    async listenOn(port: number): Promise<string> {
      return listenOne(smpp.createServer(onSession), port);
    },
    /** First half of a graceful stop: no new connections, binds or submits; in-flight submits answered. */
    async stopIntake(): Promise<void> {
      stopping = true;
      for (const server of servers) server.close();
      await Promise.allSettled([...inFlight]);
      for (const assembly of assemblies.values()) {
        clock.clearTimeout(assembly.timer);
        for (const part of assembly.parts.values()) answer(part.session, part.pdu, STATUS.RSYSERR);
      }
      assemblies.clear();
    },
    /** Second half: unbind every session (after dispatch stopped, so no receipt is cut off). */
    async close(): Promise<void> {
      stopping = true;
      clock.clearTimeout(renewal);
      for (const server of servers) server.close();
      await Promise.all([...sessions].map((s) => closeSession(s, 'shutdown')));
      await Promise.allSettled([...inFlight]);
    },
    sessionCount: () => sessions.size,
  };
}

export type SmppServer = ReturnType<typeof createSmppServer>;

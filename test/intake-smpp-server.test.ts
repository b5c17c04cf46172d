/**
 * The SMPP server against a real ESME (the smpp package) on 127.0.0.1, with the stand-in SMSC
 * (helpers/smsc.ts) as the provider so outcomes are chosen by the test: a text containing
 * "FAIL" is answered with an UNDELIV receipt, every other with DELIVRD.
 */
import './helpers/leak-guard.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import smpp, { type PDU } from 'smpp';
import { freePort } from './helpers/process.js';
import { startRelay, waitFor, type RunningRelay } from './helpers/relay.js';
import { startSmsc, type Smsc } from './helpers/smsc.js';
import { connectEsme, rawConnect, rawPdu, relativeValidity, type Esme } from './helpers/esme.js';
import { encodeSms } from '../src/model/gsm.js';
import { uuidOfSmppMessageId } from '../src/model/smpp-receipt.js';

const ESME_RINVBNDSTS = 0x04;
const ESME_RALYBND = 0x05;
const ESME_RBINDFAIL = 0x0d;
const ESME_RINVDSTADR = 0x0b;
const ESME_RINVSRCADR = 0x0a;
const ESME_RINVSCHED = 0x61;
const ESME_RINVPARLEN = 0xc2;
const ESME_RTHROTTLED = 0x58;
const ESME_RINVMSGID = 0x0c;

interface Setup {
  running: RunningRelay;
  smsc: Smsc;
  address: string;
  systemId: string;
  password: string;
  esmes: Esme[];
  connect(options?: Parameters<typeof connectEsme>[1]): Promise<Esme>;
  bound(type?: 'transmitter' | 'receiver' | 'transceiver', options?: Parameters<typeof connectEsme>[1]): Promise<Esme>;
  stop(): Promise<void>;
}

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const smsc = await startSmsc({
    receipt: (submit) => ({ id: submit.id, stat: submit.text.includes('FAIL') ? 'UNDELIV' : 'DELIVRD', err: submit.text.includes('FAIL') ? '001' : '000' }),
  });
  const running = await startRelay({ SMSC_URL: smsc.url, SMPP_SERVER_RESPONSE_TIMEOUT_MS: '500', ...env });
  const address = await running.relay.smppServer.listenOn(0);
  const esmes: Esme[] = [];
  const s: Setup = {
    running,
    smsc,
    address,
    systemId: running.credentials.smpp_system_id,
    password: running.credentials.smpp_password,
    esmes,
    async connect(options) {
      const esme = await connectEsme(address, options);
      esmes.push(esme);
      return esme;
    },
    async bound(type = 'transceiver', options) {
      const esme = await s.connect(options);
      const response = await esme.bind(type, s.systemId, s.password);
      assert.equal(response.command_status, 0, 'bind');
      return esme;
    },
    async stop() {
      for (const esme of esmes) esme.session.destroy();
      await running.stop();
      await smsc.close();
    },
  };
  return s;
}

const setups: Setup[] = [];
after(async () => {
  for (const s of setups) await s.stop().catch(() => {});
});
async function fresh(env: Record<string, string> = {}): Promise<Setup> {
  const s = await setup(env);
  setups.push(s);
  return s;
}

const gsm = (text: string) => ({ data_coding: 0, short_message: encodeSms(text).parts[0]! });

function fields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/(id|sub|dlvrd|submit date|done date|stat|err):(\S+)/g)) out[match[1]!] = match[2]!;
  out.text = text.slice(text.indexOf('text:') + 5);
  return out;
}

test('SMPP server: binds — wrong password, unknown system_id and too many sessions fail; each bind type; 3.3 and 3.4', async () => {
  const s = await fresh();
  const wrong = await s.connect();
  assert.equal((await wrong.bind('transceiver', s.systemId, 'nope')).command_status, ESME_RBINDFAIL);
  const unknown = await s.connect();
  assert.equal((await unknown.bind('transmitter', 'nobody', s.password)).command_status, ESME_RBINDFAIL);

  const tx = await s.connect();
  const txResp = await tx.bind('transmitter', s.systemId, s.password);
  assert.equal(txResp.command_status, 0);
  assert.equal(txResp.system_id, 'statusrelay');
  assert.equal(txResp.sc_interface_version, 0x34, '3.4 gets sc_interface_version');
  assert.equal((await tx.bind('transmitter', s.systemId, s.password)).command_status, ESME_RALYBND, 'bound twice');

  const rx = await s.connect();
  const rxResp = await rx.bind('receiver', s.systemId, s.password, { interface_version: 0x33 });
  assert.equal(rxResp.command_status, 0);
  assert.equal(rxResp.sc_interface_version, undefined, '3.3 gets no TLV');
  assert.equal((await rx.submit({ destination_addr: '436641234567', ...gsm('x') })).command_status, ESME_RINVBNDSTS, 'receiver cannot submit');

  await s.bound('transceiver');
  await s.bound('transceiver');
  const fifth = await s.connect();
  assert.equal((await fifth.bind('transceiver', s.systemId, s.password)).command_status, ESME_RBINDFAIL, 'five sessions > max 4');

  const unbound = await s.connect();
  assert.equal((await unbound.submit({ destination_addr: '436641234567', ...gsm('x') })).command_status, ESME_RINVBNDSTS);
  assert.equal((await unbound.request('enquire_link')).command_status, 0);
  const unbind = await tx.request('unbind');
  assert.equal(unbind.command, 'unbind_resp');
  await tx.closed;
});

test('SMPP server: GSM-7, IA5, Latin-1 and UCS-2 submits are stored as sent, answered with the message id', async () => {
  const s = await fresh();
  const esme = await s.bound('transmitter');
  const cases: Array<[string, Record<string, unknown>]> = [
    ['Grüße {€} @home_1', gsm('Grüße {€} @home_1')],
    ['plain $ascii_@', { data_coding: 1, short_message: Buffer.from('plain $ascii_@', 'latin1') }],
    ['Café crème ½', { data_coding: 3, short_message: Buffer.from('Café crème ½', 'latin1') }],
    ['Привет 😀 世界', { data_coding: 8, short_message: Buffer.from('Привет 😀 世界', 'utf16le').swap16() }],
    ['via payload', { data_coding: 1, message_payload: Buffer.from('via payload', 'latin1') }],
  ];
  for (const [text, params] of cases) {
    const response = await esme.submit({ destination_addr: '436641234567', registered_delivery: 0, ...params });
    assert.equal(response.command_status, 0, text);
    assert.match(response.message_id, /^[0-9a-f]{32}$/);
    const message = await s.running.relay.store.getMessage(uuidOfSmppMessageId(response.message_id)!);
    assert.equal(message?.text, text);
    assert.equal(message?.interface, 'smpp');
    assert.equal(message?.to, '436641234567');
    assert.equal(message?.from, 'ACME');
  }
});

test('SMPP server: refusals store nothing (bad destination, source, schedule, coding, UDH), throttling, generic_nack', async () => {
  const s = await fresh();
  const esme = await s.bound('transceiver');
  const before = await s.running.relay.store.listOpen(1000);
  const refused: Array<[number, Record<string, unknown>]> = [
    [ESME_RINVDSTADR, { destination_addr: '12', ...gsm('x') }],
    [ESME_RINVSRCADR, { source_addr: 'WAY TOO LONG SENDER', destination_addr: '436641234567', ...gsm('x') }],
    [ESME_RINVSCHED, { destination_addr: '436641234567', schedule_delivery_time: '000000010000000R', ...gsm('x') }],
    [ESME_RINVPARLEN, { destination_addr: '436641234567', data_coding: 4, short_message: Buffer.from('bin') }],
    [ESME_RINVPARLEN, { destination_addr: '436641234567', esm_class: 0x40, data_coding: 0, short_message: Buffer.from([0x09, 0x00, 0x03, 1, 2, 1]) }],
    [ESME_RINVPARLEN, { destination_addr: '436641234567', data_coding: 8, short_message: Buffer.from([0x00, 0x41, 0x00]) }],
  ];
  for (const [status, params] of refused) {
    assert.equal((await esme.submit(params)).command_status, status, JSON.stringify(params));
  }
  assert.equal((await s.running.relay.store.listOpen(1000)).length, before.length, 'nothing stored');
  assert.equal((await esme.request('query_sm', { message_id: 'zz', source_addr: 'ACME' })).command_status, ESME_RINVMSGID);

  // An unknown command id gets generic_nack with ESME_RINVCMDID.
  const raw = await rawConnect(s.address);
  const chunks: Buffer[] = [];
  raw.on('data', (chunk) => chunks.push(chunk));
  raw.write(rawPdu(0x00000777, 7, Buffer.alloc(0)));
  await waitFor(() => Buffer.concat(chunks).length >= 16, 3000, 'generic_nack');
  const nack = Buffer.concat(chunks);
  assert.equal(nack.readUInt32BE(4), 0x80000000);
  assert.equal(nack.readUInt32BE(8), 0x03);
  assert.equal(nack.readUInt32BE(12), 7);
  // A PDU claiming more than 64 KiB closes the session.
  const closed = new Promise((resolve) => raw.once('close', resolve));
  raw.write(rawPdu(0x00000004, 8, Buffer.alloc(0), 70_000));
  await closed;

  // Submit rate: 3 per second for this account.
  const credential = (await s.running.relay.store.findSmppCredential(s.systemId))!;
  await s.running.relay.store.saveSmppCredential({ ...credential, submit_rate: 3 });
  const slow = await s.bound('transmitter');
  const answers = await Promise.all(Array.from({ length: 6 }, () => slow.submit({ destination_addr: '436641234567', registered_delivery: 0, ...gsm('rate') })));
  assert.ok(answers.some((answer) => answer.command_status === ESME_RTHROTTLED), 'some throttled');
  assert.ok(answers.filter((answer) => answer.command_status === 0).length <= 3 + 1);
});

test('SMPP server: receipts — DELIVRD and REJECTD field by field, registered_delivery 0/1/2 and the intermediate bit', async () => {
  const s = await fresh();
  const esme = await s.bound('transceiver');
  const ok = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, ...gsm('Hello from the ESME, long text') });
  const failed = await esme.submit({ destination_addr: '436641234568', registered_delivery: 2, ...gsm('FAIL please') });
  const none = await esme.submit({ destination_addr: '436641234569', registered_delivery: 0, ...gsm('no receipt') });
  const onlyFailureButDelivered = await esme.submit({ destination_addr: '436641234570', registered_delivery: 2, ...gsm('fine') });
  const intermediate = await esme.submit({ destination_addr: '436641234571', registered_delivery: 0x11, ...gsm('steps') });
  for (const answer of [ok, failed, none, onlyFailureButDelivered, intermediate]) assert.equal(answer.command_status, 0);

  await waitFor(() => esme.receipts.length >= 4, 10_000, 'four receipts');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const byId = (id: string) => esme.receipts.filter((r) => r.pdu.receipted_message_id === id);
  assert.equal(byId(none.message_id).length, 0, 'registered_delivery 0: none');
  assert.equal(byId(onlyFailureButDelivered.message_id).length, 0, 'registered_delivery 2 and delivered: none');
  assert.deepEqual(byId(intermediate.message_id).map((r) => fields(r.text).stat), ['ENROUTE', 'DELIVRD'], 'intermediate then final');

  const [delivered] = byId(ok.message_id);
  assert.ok(delivered, 'delivered receipt');
  assert.equal(byId(ok.message_id).length, 1);
  const d = fields(delivered.text);
  assert.equal(d.id, ok.message_id);
  assert.equal(d.sub, '001');
  assert.equal(d.dlvrd, '001');
  assert.equal(d.stat, 'DELIVRD');
  assert.equal(d.err, '000');
  assert.equal(d.text, 'Hello from the ESME,');
  assert.match(d['submit date']!, /^\d{10}$/);
  assert.match(d['done date']!, /^\d{10}$/);
  assert.equal(delivered.pdu.esm_class & 0x3c, 0x04);
  assert.equal(delivered.pdu.source_addr, '436641234567', 'swapped: from the handset');
  assert.equal(delivered.pdu.destination_addr, 'ACME');
  assert.equal(delivered.pdu.source_addr_ton, 1);
  assert.equal(delivered.pdu.dest_addr_ton, 5);
  assert.equal(delivered.pdu.message_state, 2);
  assert.equal(delivered.pdu.network_error_code, undefined);

  const [undelivered] = byId(failed.message_id);
  assert.ok(undelivered, 'failure receipt');
  const u = fields(undelivered.text);
  // The SMSC's UNDELIV is statusrelay's `rejected` (carriage/smpp/states.ts), sent on as REJECTD.
  assert.equal(u.stat, 'REJECTD');
  assert.equal(u.dlvrd, '000');
  assert.match(u.err!, /^\d{3,}$/);
  assert.notEqual(u.err, '000');
  assert.equal(undelivered.pdu.message_state, 8);
  assert.ok(Buffer.isBuffer(undelivered.pdu.network_error_code));
  assert.equal(undelivered.pdu.network_error_code[0], 3);
  assert.equal(undelivered.pdu.network_error_code.readUInt16BE(1), Number(u.err));

  const query = await esme.request('query_sm', { message_id: ok.message_id, source_addr: 'ACME' });
  assert.equal(query.command_status, 0);
  assert.equal(query.message_state, 2);
});

test('SMPP server: a TTL expiry (validity_period) is reported as EXPIRED with err 1360', async () => {
  const s = await fresh();
  // The SMSC never answers, so only the TTL settles the message.
  s.smsc.close();
  const esme = await s.bound('transceiver');
  const answer = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, validity_period: relativeValidity(1), ...gsm('late') });
  assert.equal(answer.command_status, 0);
  await waitFor(() => esme.receipts.length >= 1, 10_000, 'expiry receipt');
  const r = fields(esme.receipts[0]!.text);
  assert.equal(r.stat, 'EXPIRED');
  assert.equal(r.err, '1360');
  assert.equal(esme.receipts[0]!.pdu.message_state, 3);
});

test('SMPP server: a 3-part message by UDH (8- and 16-bit) and by SAR is stored once; each part id gets its receipt', async () => {
  const s = await fresh();
  const esme = await s.bound('transceiver');
  const parts = ['First part / ', 'second part / ', 'third part.'];
  const udh8 = (i: number) => Buffer.from([0x05, 0x00, 0x03, 0x42, 3, i + 1]);
  const udh16 = (i: number) => Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 3, i + 1]);
  const ways: Array<[string, (i: number) => Record<string, unknown>]> = [
    ['udh8', (i) => ({ esm_class: 0x40, data_coding: 0, short_message: Buffer.concat([udh8(i), encodeSms(parts[i]!).parts[0]!]) })],
    ['udh16', (i) => ({ esm_class: 0x40, data_coding: 8, short_message: Buffer.concat([udh16(i), Buffer.from(parts[i]!, 'utf16le').swap16()]) })],
    ['sar', (i) => ({ data_coding: 3, short_message: Buffer.from(parts[i]!, 'latin1'), sar_msg_ref_num: 0x77, sar_total_segments: 3, sar_segment_seqnum: i + 1 })],
  ];
  for (const [name, part] of ways) {
    const to = name === 'udh8' ? '436640000001' : name === 'udh16' ? '436640000002' : '436640000003';
    // Sent out of order: the message is stored when the last arrives, then every part is answered.
    const answers = await Promise.all([2, 0, 1].map((i) => esme.submit({ destination_addr: to, registered_delivery: 1, ...part(i) })));
    for (const answer of answers) assert.equal(answer.command_status, 0, name);
    const ids = answers.map((answer: PDU) => answer.message_id as string);
    assert.equal(new Set(ids).size, 3, `${name}: three ids`);
    const uuids = new Set(ids.map((id) => uuidOfSmppMessageId(id)));
    assert.equal(uuids.size, 1, `${name}: one message`);
    const message = await s.running.relay.store.getMessage([...uuids][0]!);
    assert.equal(message?.text, parts.join(''), name);
    await waitFor(() => ids.every((id) => esme.receipts.some((r) => r.pdu.receipted_message_id === id)), 10_000, `${name}: a receipt per id`);
    for (const id of ids) assert.equal(fields(esme.receipts.find((r) => r.pdu.receipted_message_id === id)!.text).id, id);
  }
  assert.equal(s.smsc.submits.filter((submit) => submit.to === '436640000001').length, 1, 'the handset gets it as one message');
});

test('SMPP server: receipts wait while the customer is unbound and all arrive, in order, when it binds again', async () => {
  const s = await fresh();
  const tx = await s.bound('transmitter');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await tx.submit({ destination_addr: `43664000010${i}`, registered_delivery: 0x11, ...gsm(`m${i}`) });
    assert.equal(answer.command_status, 0);
    ids.push(answer.message_id);
  }
  await waitFor(async () => (await s.running.relay.store.outboxDepth()) >= 10, 10_000, 'receipts waiting in the outbox');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(tx.receipts.length, 0, 'a transmitter gets no receipts');
  const rx = await s.bound('receiver');
  await waitFor(() => rx.receipts.length >= 10, 10_000, 'all ten receipts');
  for (const id of ids) {
    const stats = rx.receipts.filter((r) => r.pdu.receipted_message_id === id).map((r) => fields(r.text).stat);
    assert.deepEqual(stats, ['ENROUTE', 'DELIVRD'], `in order for ${id}`);
  }
});

test('SMPP server: a receipt answered with an error status, or throttled, is retried', async () => {
  const s = await fresh();
  let refusals = 0;
  const esme = await s.bound('transceiver', {
    answerDeliver: () => {
      refusals += 1;
      if (refusals === 1) return 0x08; // ESME_RSYSERR
      if (refusals === 2) return ESME_RTHROTTLED;
      return 0;
    },
  });
  const answer = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, ...gsm('retry me') });
  await waitFor(() => esme.receipts.length >= 3, 10_000, 'three deliveries of one receipt');
  assert.ok(esme.receipts.slice(0, 3).every((r) => r.pdu.receipted_message_id === answer.message_id));
  await waitFor(async () => {
    const callbacks = await s.running.relay.store.listCallbacks(uuidOfSmppMessageId(answer.message_id)!);
    return callbacks.some((callback) => callback.state === 'delivered');
  }, 5_000, 'delivered after the retries');
  const [callback] = await s.running.relay.store.listCallbacks(uuidOfSmppMessageId(answer.message_id)!);
  assert.equal(callback!.destination.type, 'smpp');
  assert.ok(callback!.attempts_log.length >= 3);
});

test('SMPP server: a retried receipt of a 3-part submit resends only the part that was refused', async () => {
  const s = await fresh();
  let refusedId: string | undefined;
  const esme = await s.bound('transceiver', {
    answerDeliver: (pdu) => {
      // The first receipt of the second part is refused once.
      if (refusedId === undefined && String(pdu.receipted_message_id).endsWith('02')) {
        refusedId = pdu.receipted_message_id;
        return 0x08; // ESME_RSYSERR
      }
      return 0;
    },
  });
  const udh = (i: number) => Buffer.from([0x05, 0x00, 0x03, 0x51, 3, i + 1]);
  const answers = await Promise.all([0, 1, 2].map((i) => esme.submit({
    destination_addr: '436640000009', registered_delivery: 1, esm_class: 0x40, data_coding: 0,
    short_message: Buffer.concat([udh(i), encodeSms(`part ${i} `).parts[0]!]),
  })));
  const ids = answers.map((answer: PDU) => answer.message_id as string);
  await waitFor(async () => {
    const callbacks = await s.running.relay.store.listCallbacks(uuidOfSmppMessageId(ids[0]!)!);
    return callbacks.some((callback) => callback.state === 'delivered');
  }, 10_000, 'delivered after the retry');
  const receiptsOf = (id: string) => esme.receipts.filter((r) => r.pdu.receipted_message_id === id).length;
  assert.equal(refusedId, ids[1]);
  assert.deepEqual(ids.map(receiptsOf), [1, 2, 1], 'parts 1 and 3 once, the refused part twice');
});

test('SMPP server: forwarding `none` for smpp sends no receipts; the global switch turns them off', async () => {
  const s = await fresh();
  const put = await s.running.api('PUT', '/v1/forwarding', { enabled: true, sms: { smpp: { type: 'none' } } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const esme = await s.bound('transceiver');
  const answer = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, ...gsm('quiet') });
  assert.equal(answer.command_status, 0);
  await waitFor(async () => (await s.running.relay.store.getMessage(uuidOfSmppMessageId(answer.message_id)!))?.state === 'delivered', 10_000, 'delivered');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(esme.receipts.length, 0);

  assert.equal((await s.running.api('PUT', '/v1/forwarding', { enabled: false })).status, 200);
  const off = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, ...gsm('off') });
  await waitFor(async () => (await s.running.relay.store.getMessage(uuidOfSmppMessageId(off.message_id)!))?.state === 'delivered', 10_000, 'delivered');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(esme.receipts.length, 0, 'global switch off');

  assert.equal((await s.running.api('PUT', '/v1/forwarding', { enabled: true })).status, 200);
  const on = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, ...gsm('on') });
  await waitFor(() => esme.receipts.some((r) => r.pdu.receipted_message_id === on.message_id), 10_000, 'default rule: interface');
});

/** The message_payload TLV as JSON, however the smpp package decoded it (string or octets). */
function payloadJson(pdu: PDU): Record<string, any> {
  const payload = pdu.message_payload?.message ?? pdu.message_payload;
  return JSON.parse(Buffer.isBuffer(payload) ? payload.toString('utf8') : String(payload));
}

test('SMPP server: forwarding format `json` carries the JSON callback in message_payload, short_message empty', async () => {
  const s = await fresh();
  const put = await s.running.api('PUT', '/v1/forwarding', { sms: { smpp: { type: 'interface', format: 'json' } } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const esme = await s.bound('transceiver');
  const ok = await esme.submit({ destination_addr: '436641234567', registered_delivery: 1, ...gsm('every field please') });
  const failed = await esme.submit({ destination_addr: '436641234568', registered_delivery: 1, ...gsm('FAIL with fields') });
  await waitFor(() => esme.receipts.length >= 2, 10_000, 'two receipts');
  const receiptOf = (id: string) => esme.receipts.find((r) => r.pdu.receipted_message_id === id)!;

  const delivered = receiptOf(ok.message_id);
  assert.equal(delivered.text, '', 'no text beside message_payload');
  const callback = payloadJson(delivered.pdu);
  assert.equal(callback.message_uuid, uuidOfSmppMessageId(ok.message_id));
  assert.equal(callback.status, 'delivered');
  assert.equal(callback.to, '436641234567');
  assert.equal(delivered.pdu.message_state, 2);
  assert.equal(delivered.pdu.esm_class & 0x3c, 0x04);

  const rejected = receiptOf(failed.message_id);
  const failure = payloadJson(rejected.pdu);
  assert.equal(failure.status, 'rejected');
  assert.match(failure.error.type, /#\d+$/);
  assert.equal(rejected.pdu.message_state, 8);
  assert.equal(rejected.pdu.network_error_code.readUInt16BE(1), Number(/#(\d+)$/.exec(failure.error.type)![1]));

  const [stored] = await s.running.relay.store.listCallbacks(uuidOfSmppMessageId(ok.message_id)!);
  assert.equal(stored!.format, 'smpp_json');
});

test('SMPP server: an idle session is unbound and closed; a PDU shorter than its header closes the session', async () => {
  const s = await fresh({ SMPP_SERVER_IDLE_MS: '400' });
  const idle = await s.bound('transceiver');
  const busy = await s.bound('transceiver');
  const keepAlive = setInterval(() => void busy.request('enquire_link').catch(() => {}), 100);
  try {
    await idle.closed;
    assert.ok(idle.requests.some((pdu) => pdu.command === 'unbind'), 'unbind sent before closing');
    assert.ok(busy.session.socket.writable, 'a session that keeps talking stays');
  } finally {
    clearInterval(keepAlive);
  }
  const raw = await rawConnect(s.address);
  const closed = new Promise((resolve) => raw.once('close', resolve));
  raw.write(rawPdu(0x00000015, 1, Buffer.alloc(0), 8));
  await closed;
});

test('SMPP server: a session holds at most SMPP_SERVER_WINDOW unacknowledged deliver_sm', async () => {
  const s = await fresh({ SMPP_SERVER_WINDOW: '2', SMPP_SERVER_RESPONSE_TIMEOUT_MS: '3000' });
  let outstanding = 0;
  let most = 0;
  const esme = await s.bound('transceiver', { answerDeliver: () => 'silent' });
  esme.session.on('deliver_sm', (pdu: PDU) => {
    outstanding += 1;
    most = Math.max(most, outstanding);
    setTimeout(() => {
      outstanding -= 1;
      esme.session.send(pdu.response());
    }, 150);
  });
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) => esme.submit({ destination_addr: `43664000020${i}`, registered_delivery: 1, ...gsm(`w${i}`) })),
  );
  const ids = answers.map((answer: PDU) => answer.message_id as string);
  await waitFor(() => ids.every((id) => esme.receipts.some((r) => r.pdu.receipted_message_id === id)), 15_000, 'all receipts');
  assert.ok(most <= 2, `at most 2 outstanding, saw ${most}`);
  assert.equal(most, 2, 'the window is used');
});

test('SMPP server over TLS: SMPP_SERVER_TLS_PORT with a certificate and key', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpp-tls-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const port = await freePort();
  const s = await fresh({ SMPP_SERVER_TLS_PORT: String(port), SMPP_SERVER_TLS_CERT: path.join(dir, 'cert.pem'), SMPP_SERVER_TLS_KEY: path.join(dir, 'key.pem') });
  const session = smpp.connect({ host: '127.0.0.1', port, tls: true, rejectUnauthorized: false });
  t.after(() => session.destroy());
  session.on('error', () => {});
  await new Promise((resolve) => session.once('secureConnect', resolve));
  const bound = await new Promise<PDU>((resolve) => session.bind_transceiver({ system_id: s.systemId, password: s.password, interface_version: 0x34 }, resolve));
  assert.equal(bound.command_status, 0);
  const receiptArrived = new Promise<PDU>((resolve) => session.on('deliver_sm', (pdu: PDU) => {
    session.send(pdu.response());
    resolve(pdu);
  }));
  const submitted = await new Promise<PDU>((resolve) =>
    session.submit_sm({ source_addr_ton: 5, source_addr: 'ACME', destination_addr: '436641234567', registered_delivery: 1, ...gsm('over TLS') }, resolve),
  );
  assert.equal(submitted.command_status, 0);
  const receipt = await receiptArrived;
  assert.equal(receipt.receipted_message_id, submitted.message_id);
});

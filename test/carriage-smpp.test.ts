/**
 * SMS over SMPP end to end: a relay bound to a stand-in SMSC (the smpp package's server on
 * 127.0.0.1), messages posted to the REST API, receipts sent by the SMSC, callbacks checked at
 * a verifying receiver.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import { closeAfterAll } from './helpers/cleanup.js';
import assert from 'node:assert/strict';
import { startRelay, startReceiver, tempDatabaseUrl, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { SMPP_ENV, deliveredReceipt, startSmsc, startSmscRig, type SmscOptions } from './helpers/smsc.js';

const open = closeAfterAll();
const rig = (smscOptions: SmscOptions = {}, env: Record<string, string> = {}) => startSmscRig(open, smscOptions, env);

test('bind, submit and a text receipt give submitted then delivered', async () => {
  const r = await rig({ receipt: deliveredReceipt });
  const uuid = await r.send({ from: 'ACME', text: 'Hello there' });
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'two callbacks');
  assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
  const [submit] = r.smsc.submits;
  assert.equal(submit.text, 'Hello there');
  assert.equal(submit.to, '436641234567');
  assert.equal(submit.sourceTon, 5, 'alphanumeric sender');
  assert.equal(submit.registeredDelivery, 1);
  assert.deepEqual(r.callbacks(uuid)[1].sms, { count_total: '1' });
  const message = await r.relay.relay.store.getMessage(uuid);
  assert.equal(message?.provider_ref, submit.id);
  assert.deepEqual(r.smsc.receiptAnswers, [0]);
});

test('a TLV receipt wins over its text (message_state and receipted_message_id)', async () => {
  // The text says UNDELIV under a wrong id; the TLVs say DELIVERED (2) for the real id.
  const r = await rig({ receipt: (s) => ({ id: 'wrong-id', stat: 'UNDELIV', tlvId: s.id, tlvState: 2 }) });
  const uuid = await r.send();
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'two callbacks');
  assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
  assert.equal((await r.relay.relay.store.listParkedReports(10)).length, 0);
});

test('each receipt state gives the status and error the Messages API gives it, or none', async () => {
  // The SMSC answers each submit with a receipt in the state the message's text names.
  const r = await rig({ receipt: (submit) => ({ id: submit.id, stat: submit.text }) });
  const final: Array<[stat: string, status: string, error?: string]> = [
    ['DELIVRD', 'delivered'],
    ['EXPIRED', 'rejected', '1360'],
    ['DELETED', 'rejected', '1330'],
    ['UNDELIV', 'rejected', '1330'],
    ['UNKNOWN', 'rejected', '1330'],
    ['REJECTD', 'rejected', '1330'],
  ];
  const uuids = await Promise.all(final.map(([stat]) => r.send({ text: stat })));
  await waitFor(() => uuids.every((uuid) => r.statuses(uuid).length === 2), 5_000, 'a final status for each');
  assert.deepEqual(
    uuids.map((uuid, i) => [final[i][0], ...r.statuses(uuid), r.callbacks(uuid)[1].error?.title]),
    final.map(([stat, status, error]) => [stat, 'submitted', status, error]),
  );

  // ENROUTE and ACCEPTD change nothing: the message stays submitted until a DELIVRD.
  await waitFor(() => r.smsc.receiptAnswers.length === final.length, 5_000, 'the receipts answered');
  for (const stat of ['ENROUTE', 'ACCEPTD']) {
    const answered = r.smsc.receiptAnswers.length;
    const uuid = await r.send({ text: stat });
    // Answered only once what it said is stored; the submit's own `submitted` may still be on
    // its way (the receipt can overtake the submit_sm_resp's record).
    await waitFor(() => r.smsc.receiptAnswers.length === answered + 1, 5_000, `the ${stat} receipt answered`);
    await waitFor(async () => (await r.relay.api('GET', `/v1/messages/${uuid}`)).body.status !== 'accepted', 5_000, `${stat}: submitted recorded`);
    const history = (await r.relay.api('GET', `/v1/messages/${uuid}`)).body;
    assert.deepEqual([history.status, history.statuses.map((event: any) => event.status)], ['submitted', ['submitted']], stat);
    const submit = r.smsc.submits.find((s) => s.text === stat)!;
    assert.equal(await r.smsc.sendReceipt({ id: submit.id, stat: 'DELIVRD' }), 0);
    await waitFor(() => r.statuses(uuid).length === 2, 5_000, `delivered after ${stat}`);
    assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
  }
  assert.deepEqual(r.smsc.receiptAnswers, Array(final.length + 4).fill(0));
  assert.equal((await r.relay.relay.store.listParkedReports(10)).length, 0);
});

test('a receipt that arrives before its submit_sm_resp is held and matched, in status order', async () => {
  const r = await rig({ answer: () => 'receipt-first', receipt: (s) => ({ id: s.id, stat: 'EXPIRED' }) });
  const uuid = await r.send();
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'two callbacks');
  assert.deepEqual(r.statuses(uuid), ['submitted', 'rejected']);
  assert.equal(r.callbacks(uuid)[1].error.title, '1360', 'EXPIRED maps to 1360');
  assert.equal((await r.relay.relay.store.listParkedReports(10)).length, 0);
});

test('a long text goes out as concatenated GSM parts; delivered once every part is', async () => {
  const text = 'x'.repeat(150) + '{curly}' + 'y'.repeat(150); // 2 extension characters cost 4 septets
  const r = await rig({});
  const uuid = await r.send({ text });
  await waitFor(() => r.smsc.submits.length === 3 && r.statuses(uuid).length === 1, 5_000, 'three parts submitted');
  const parts = r.smsc.submits;
  assert.deepEqual(parts.map((p) => [p.concat?.seq, p.concat?.total, p.dataCoding]), [[1, 3, 0], [2, 3, 0], [3, 3, 0]]);
  assert.equal(new Set(parts.map((p) => p.concat?.reference)).size, 1, 'one reference for all parts');
  assert.equal(parts.map((p) => p.text).join(''), text);
  assert.deepEqual(r.callbacks(uuid)[0].sms, { count_total: '3' });

  await r.smsc.sendReceipt({ id: parts[0].id, stat: 'DELIVRD' });
  await r.smsc.sendReceipt({ id: parts[2].id, stat: 'DELIVRD' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(r.statuses(uuid), ['submitted'], 'not delivered while a part is missing');
  await r.smsc.sendReceipt({ id: parts[1].id, tlvId: parts[1].id, tlvState: 2, text: '' });
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'delivered');
  const delivered = r.callbacks(uuid)[1];
  assert.equal(delivered.status, 'delivered');
  assert.deepEqual(
    delivered.sms.segments.map((s: any) => [s.part, s.status, s.message_id]),
    parts.map((p, i) => [String(i + 1), 'delivered', p.id]),
  );
});

test('UCS-2 text is split at 67 units; one refused part rejects the message', async () => {
  const text = 'Привет мир! '.repeat(12); // 144 Cyrillic-and-space characters: 3 parts of at most 67
  const r = await rig({});
  const uuid = await r.send({ text });
  await waitFor(() => r.smsc.submits.length === 3 && r.statuses(uuid).length === 1, 5_000, 'three parts');
  assert.ok(r.smsc.submits.every((p) => p.dataCoding === 8));
  assert.equal(r.smsc.submits.map((p) => p.text).join(''), text);
  await r.smsc.sendReceipt({ id: r.smsc.submits[0].id, stat: 'DELIVRD' });
  await r.smsc.sendReceipt({ id: r.smsc.submits[1].id, stat: 'UNDELIV', err: '001' });
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'rejected');
  const rejected = r.callbacks(uuid)[1];
  assert.equal(rejected.status, 'rejected');
  assert.equal(rejected.error.title, '1170', 'err:001 is GSM MAP unknownSubscriber');
  assert.deepEqual(rejected.sms.segments.map((s: any) => s.status), ['delivered', 'rejected', 'pending']);
});

test('a part that never reports turns into 1490 after the segment timeout', async () => {
  const r = await rig({}, { SMSC_SEGMENT_TIMEOUT_MS: '300' });
  const uuid = await r.send({ text: 'z'.repeat(200) });
  await waitFor(() => r.smsc.submits.length === 2 && r.statuses(uuid).length === 1, 5_000, 'two parts');
  await r.smsc.sendReceipt({ id: r.smsc.submits[0].id, stat: 'DELIVRD' });
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'segment timeout');
  assert.equal(r.callbacks(uuid)[1].status, 'rejected');
  assert.equal(r.callbacks(uuid)[1].error.title, '1490');
});

test('a submit refused by the SMSC is rejected with a matching code', async () => {
  const r = await rig({ answer: () => 0x0b }); // ESME_RINVDSTADR
  const uuid = await r.send();
  await waitFor(() => r.statuses(uuid).length === 1, 5_000, 'rejected');
  assert.equal(r.callbacks(uuid)[0].status, 'rejected');
  assert.equal(r.callbacks(uuid)[0].error.title, '1170');
});

test('throttling answers slow the connector down; no message fails because of them', async () => {
  let throttled = 0;
  const r = await rig({
    answer: () => (throttled < 6 ? (++throttled % 2 ? 0x58 : 0x14) : 'ok'), // ESME_RTHROTTLED, ESME_RMSGQFUL
    receipt: deliveredReceipt,
  });
  const uuids = await Promise.all(Array.from({ length: 5 }, (_, i) => r.send({ text: `burst ${i}` })));
  await waitFor(() => uuids.every((u) => r.statuses(u).length === 2), 10_000, 'all delivered');
  for (const uuid of uuids) assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
  assert.equal(throttled, 6);
  assert.equal(r.smsc.submits.length, 5, 'each message accepted exactly once');
});

test('a connection dropped in the middle of a burst: reconnect, rebind, nothing lost', async () => {
  let seen = 0;
  const r = await rig({ answer: () => (++seen === 6 ? 'drop' : 'ok'), receipt: deliveredReceipt }, { SMSC_WINDOW: '4' });
  const uuids = await Promise.all(Array.from({ length: 20 }, (_, i) => r.send({ text: `message ${i}` })));
  await waitFor(() => uuids.every((u) => r.statuses(u).includes('delivered')), 10_000, 'all delivered');
  assert.ok(r.smsc.binds >= 2, 'bound again after the drop');
  for (const uuid of uuids) assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
});

test('an SMSC that is down makes the message undeliverable after the patience', async () => {
  const r = await rig({}, { SMSC_PATIENCE_MS: '300', SMSC_RECONNECT_BASE_MS: '1000', SMSC_RECONNECT_CAP_MS: '1000' });
  await r.smsc.close();
  const uuid = await r.send();
  await waitFor(() => r.statuses(uuid).length === 1, 5_000, 'undeliverable');
  assert.equal(r.callbacks(uuid)[0].status, 'undeliverable');
  assert.equal(r.callbacks(uuid)[0].error.title, '1331');
});

test('malformed, unknown-state and unknown-id receipts are parked and counted, never applied', async () => {
  const r = await rig({}, { SMSC_RECEIPT_HOLD_MS: '200' });
  const uuid = await r.send();
  await waitFor(() => r.statuses(uuid).length === 1, 5_000, 'submitted');
  const [submit] = r.smsc.submits;
  const answers = [
    await r.smsc.sendReceipt({ id: submit.id, text: 'this is no receipt at all' }),
    await r.smsc.sendReceipt({ id: submit.id, stat: 'EXPLODED' }),
    await r.smsc.sendReceipt({ id: submit.id, tlvId: submit.id, tlvState: 42 }),
    await r.smsc.sendReceipt({ id: 'FFFFFF', stat: 'DELIVRD' }),
  ];
  assert.deepEqual(answers, [0, 0, 0, 0], 'each answered, so the SMSC does not send it again');
  const parked = await r.relay.relay.store.listParkedReports(10);
  assert.deepEqual(parked.map((p) => p.reason.split(':')[0]).sort(), ['malformed', 'unknown-id', 'unknown-state', 'unknown-state']);
  const metrics = await (await fetch(`${r.relay.baseUrl}/metrics`)).text();
  assert.match(metrics, /statusrelay_provider_input_refused_total\{source="smpp",reason="unknown-id"\} 1/);
  assert.deepEqual(r.statuses(uuid), ['submitted'], 'no status came from bad input');
  // The connector still works.
  await r.smsc.sendReceipt({ id: submit.id, stat: 'DELIVRD' });
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'delivered');
});

test('the SMSC ids survive a restart: a receipt after it still finds its message', async () => {
  const databaseUrl = tempDatabaseUrl();
  const smsc = await startSmsc({});
  const receiver = await startReceiver();
  open.push(() => smsc.close(), () => receiver.close());
  const env = { SMSC_URL: smsc.url, DATABASE_URL: databaseUrl, ...SMPP_ENV };
  const first = await startRelay(env);
  const res = await first.api('POST', '/v1/messages', textMessage({ webhook_url: receiver.url, text: 'q'.repeat(170) }));
  const uuid = res.body.message_uuid;
  await waitFor(() => receiver.received.length === 1, 5_000, 'submitted');
  await first.stop();

  const second = await startRelay(env);
  open.push(() => second.stop());
  await waitFor(() => smsc.binds >= 2, 5_000, 'bound again');
  await smsc.sendReceipt({ id: smsc.submits[0].id, stat: 'DELIVRD' });
  await smsc.sendReceipt({ id: smsc.submits[1].id, stat: 'DELIVRD' });
  await waitFor(() => receiver.received.length === 2, 5_000, 'delivered');
  assert.equal(receiver.received[1].json.message_uuid, uuid);
  assert.equal(receiver.received[1].json.status, 'delivered');
  assert.equal(smsc.submits.length, 2, 'nothing was sent twice');
});

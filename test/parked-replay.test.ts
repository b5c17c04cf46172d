/**
 * Reports parked for an id that was not known yet are applied once it is: an SMSC receipt that
 * overtook its submit_sm_resp by more than the hold time (also written in another base), a
 * WhatsApp webhook that overtook a slow send answer, and one received by another node than the
 * one that sent the message. Each is applied once, after `submitted`, in the order received.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAfterAll } from './helpers/cleanup.js';
import { startReceiver, startRelay, testStores, waitFor } from './helpers/relay.js';
import { startSmscRig } from './helpers/smsc.js';
import { hubSignature, post, startStandIn, whatsappStatuses } from './helpers/providers.js';
import { sendMessage } from './helpers/forwarding.js';
import { openStore } from '../src/store/open.js';

const open = closeAfterAll();

for (const store of testStores()) {
  test(`${store.kind}: takeParkedReports takes a source's unknown-id reports for the ids, oldest first, once`, { skip: store.skip }, async () => {
    const db = await openStore(await store.databaseUrl());
    open.push(() => db.close());
    await db.migrate();
    const parked = (id: string, source: string, reason: string, ref: string, at: number) =>
      db.parkReport({ id, source, reason: `${reason}: detail`, provider_ref: ref, payload: `{"n":"${id}"}`, received_at: at });
    await parked('b', 'smpp', 'unknown-id', '0000A3F2', 20);
    await parked('a', 'smpp', 'unknown-id', '41970', 10);
    await parked('c', 'smpp', 'malformed', '41970', 5);
    await parked('d', 'whatsapp', 'unknown-id', '41970', 5);
    await parked('e', 'smpp', 'unknown-id', 'other', 5);
    const taken = await db.takeParkedReports({ source: 'smpp', refs: ['41970'], refKeys: ['a3f2'] }, 99);
    assert.deepEqual(taken.map((r) => [r.id, r.applied_at]), [['a', 99], ['b', 99]]);
    assert.deepEqual(await db.takeParkedReports({ source: 'smpp', refs: ['41970'], refKeys: ['a3f2'] }, 100), [], 'taken once');
    const all = await db.listParkedReports(10);
    assert.deepEqual(all.filter((r) => r.applied_at !== undefined).map((r) => r.id).sort(), ['a', 'b']);
  });
}

test('an SMPP receipt parked before its submit_sm_resp (in the other base) is applied after submitted', async () => {
  const r = await startSmscRig(
    open,
    { submitIds: 'decimal', answer: () => 'receipt-first', receipt: (s) => ({ id: Number(s.id).toString(16).padStart(8, '0'), stat: 'UNDELIV', err: '001' }) },
    { SMSC_RECEIPT_HOLD_MS: '0' },
  );
  const uuid = await r.send();
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'two callbacks');
  assert.deepEqual(r.statuses(uuid), ['submitted', 'rejected']);
  assert.equal(r.callbacks(uuid)[1].error.title, '1170');
  const [report] = await r.relay.relay.store.listParkedReports(10);
  assert.match(report.reason, /^unknown-id/);
  assert.ok(report.applied_at !== undefined, 'marked applied');
  assert.match(await (await fetch(`${r.relay.baseUrl}/metrics`)).text(), /statusrelay_parked_reports_applied_total\{source="smpp"\} 1/);
});

const WHATSAPP = { WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 'app-secret', WHATSAPP_VERIFY_TOKEN: 'v', PROVIDER_HOLD_MS: '50' };

function webhook(baseUrl: string, ...statuses: Array<Record<string, unknown>>) {
  const body = JSON.stringify(whatsappStatuses(...statuses));
  return post(`${baseUrl}/v1/providers/whatsapp`, body, { 'x-hub-signature-256': hubSignature(body, WHATSAPP.WHATSAPP_APP_SECRET) });
}

for (const nodes of ['one node', 'another node'] as const) {
  test(`WhatsApp webhooks parked past the hold are applied in order once the send answer comes (${nodes})`, async () => {
    // The Graph stand-in answers slowly; the webhooks reach `receiving` first, which parks them.
    let receiving = '';
    const delivered = { status: 'delivered', timestamp: '1700000001' };
    const read = { status: 'read', timestamp: '1700000002' };
    const parkedBoth = { done: false };
    const graph = await startStandIn((request) => {
      const id = `wamid.late.${request.json.to}`;
      void (async () => {
        await webhook(receiving, { id, ...delivered });
        await webhook(receiving, { id, ...read });
        parkedBoth.done = true;
      })();
      return { status: 200, body: { messages: [{ id }] }, delayMs: 400 };
    });
    const receiver = await startReceiver();
    open.push(() => graph.close(), () => receiver.close());
    const env = { ...WHATSAPP, WHATSAPP_BASE_URL: graph.baseUrl };
    const sending = await startRelay(env);
    open.push(() => sending.stop());
    receiving = sending.baseUrl;
    if (nodes === 'another node') {
      const databaseUrl = sending.relay.config.databaseUrl;
      const other = await startRelay({ ...env, DATABASE_URL: databaseUrl });
      open.push(() => other.stop());
      receiving = other.baseUrl;
    }
    const uuid = await sendMessage(sending, { channel: 'whatsapp', to: '447700900001', text: 'Hi', webhook_url: receiver.url });
    await waitFor(() => receiver.received.length === 3, 5_000, 'three callbacks');
    assert.ok(parkedBoth.done, 'both webhooks were answered before the send answer came');
    assert.deepEqual(receiver.received.map((c) => [c.json.message_uuid, c.json.status]), [
      [uuid, 'submitted'],
      [uuid, 'delivered'],
      [uuid, 'read'],
    ]);
    const parked = await sending.relay.store.listParkedReports(10);
    assert.equal(parked.length, 2);
    assert.ok(parked.every((p) => p.applied_at !== undefined));
    const history = (await sending.api('GET', `/v1/messages/${uuid}`)).body;
    assert.deepEqual(history.statuses.map((s: any) => s.status), ['submitted', 'delivered', 'read'], 'each applied once');
  });
}

/**
 * The lifecycle under traffic from real connectors, seen from a customer's receiver: TTL
 * expiry while the SMSC says nothing (and a late receipt that must not bring the message
 * back), and failover from a rejected RCS attempt (upstream) to SMS over SMPP.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import { closeAfterAll } from './helpers/cleanup.js';
import assert from 'node:assert/strict';
import { startRelay, startReceiver, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { allFinished, callbacksOf } from './helpers/forwarding.js';
import { deliveredReceipt, startSmsc } from './helpers/smsc.js';
import { hubSignature, post, startStandIn, upstreamAuthorization, whatsappStatuses } from './helpers/providers.js';
import { systemClock } from '../src/model/clock.js';

const open = closeAfterAll();

/**
 * One workflow item's callbacks, in arrival order. Order holds per message; the items of a
 * workflow are separate messages, so their callbacks may interleave.
 */
function callbacksOfItem(received: Array<{ json: any }>, itemsNumber: string) {
  return received.map((c) => c.json).filter((c) => c.workflow?.items_number === itemsNumber)
    .map((c) => [c.channel, c.status, c.workflow?.workflow_id, c.workflow?.items_number, c.workflow?.items_total]);
}

test('TTL: an SMS the SMSC never reports on is rejected with 1360; a late receipt stays history', async () => {
  let offset = 0;
  const smsc = await startSmsc({});
  const receiver = await startReceiver();
  const relay = await startRelay({ SMSC_URL: smsc.url }, { clock: { ...systemClock, now: () => Date.now() + offset } });
  open.push(() => smsc.close(), () => receiver.close(), () => relay.stop());
  await waitFor(() => smsc.binds > 0, 5_000, 'bind');

  // Delivery is at least once: a callback may arrive twice, under one webhook-id.
  const distinct = () => [...new Map(receiver.received.map((c) => [c.headers['webhook-id'], c.json.status])).values()];
  const res = await relay.api('POST', '/v1/messages', textMessage({ webhook_url: receiver.url, ttl: 60 }));
  const uuid = res.body.message_uuid;
  await waitFor(() => distinct().length === 1, 5_000, 'submitted');
  // Recorded as delivered before the clock jumps, or its lease would have run out and it would go again.
  await callbacksOf(relay, uuid, (callbacks) => callbacks[0]?.state === 'delivered');
  offset = 61_000;
  await waitFor(() => distinct().length === 2, 5_000, 'expiry');
  assert.deepEqual(distinct(), ['submitted', 'rejected']);
  const rejected = receiver.received.find((c) => c.json.status === 'rejected')!.json;
  assert.equal(rejected.error.title, '1360');

  assert.equal(await smsc.sendReceipt({ id: smsc.submits[0].id, stat: 'DELIVRD' }), 0);
  await waitFor(async () => (await relay.relay.store.listEvents(uuid)).length === 3, 5_000, 'late receipt recorded');
  const callbacks = await callbacksOf(relay, uuid, allFinished(2));
  assert.deepEqual(callbacks.map((c) => c.status), ['submitted', 'rejected'], 'no callback for the late receipt');
  assert.deepEqual(distinct(), ['submitted', 'rejected']);
  const history = (await relay.api('GET', `/v1/messages/${uuid}`)).body;
  assert.equal(history.status, 'rejected');
  assert.deepEqual(history.statuses.map((s: any) => [s.status, s.forwarded, s.source]), [
    ['submitted', true, 'smpp'],
    ['rejected', true, 'ttl'],
    ['delivered', false, 'smpp'],
  ]);
});

test('failover: a rejected RCS attempt (upstream) starts the SMS item on the SMSC; every callback carries workflow', async () => {
  const signature = 'sig-secret';
  const upstream = await startStandIn(() => ({ status: 202, body: { message_uuid: 'up-rcs-1' } }));
  const smsc = await startSmsc({ receipt: deliveredReceipt });
  const verifying: { secret?: string } = {};
  const receiver = await startReceiver(verifying);
  const relay = await startRelay({
    SMSC_URL: smsc.url,
    UPSTREAM_MESSAGES_URL: upstream.baseUrl,
    UPSTREAM_API_KEY: 'k',
    UPSTREAM_API_SECRET: 's',
    UPSTREAM_SIGNATURE_SECRET: signature,
    UPSTREAM_CHANNELS: 'rcs',
  });
  open.push(() => upstream.close(), () => smsc.close(), () => receiver.close(), () => relay.stop());
  // The receiver verifies every callback with the account's signature secret, as a customer would.
  verifying.secret = relay.credentials.signature_secret;
  await waitFor(() => smsc.binds > 0, 5_000, 'bind');

  const res = await relay.api('POST', '/v1/messages', textMessage({
    channel: 'rcs', text: 'Rich hello', webhook_url: receiver.url, failover: [textMessage({ text: 'Plain hello' })],
  }));
  assert.equal(res.status, 202);
  const workflowId = res.body.workflow_id;
  await waitFor(() => receiver.received.length === 1, 5_000, 'rcs submitted');

  const body = JSON.stringify({ message_uuid: 'up-rcs-1', status: 'rejected', timestamp: new Date().toISOString(), error: { title: 1300 } });
  assert.equal((await post(`${relay.baseUrl}/v1/providers/messages-api`, body, { authorization: upstreamAuthorization(body, signature) })).status, 200);

  await waitFor(() => receiver.received.length === 4, 5_000, 'four callbacks');
  const itemOf = (number: string) => callbacksOfItem(receiver.received, number);
  assert.deepEqual(itemOf('1'), [
    ['rcs', 'submitted', workflowId, '1', '2'],
    ['rcs', 'rejected', workflowId, '1', '2'],
  ]);
  assert.deepEqual(itemOf('2'), [
    ['sms', 'submitted', workflowId, '2', '2'],
    ['sms', 'delivered', workflowId, '2', '2'],
  ]);
  assert.equal(receiver.received.find((c) => c.json.status === 'rejected')?.json.error.title, '1300');
  assert.equal(smsc.submits.length, 1);
  assert.equal(smsc.submits[0].text, 'Plain hello');
  assert.equal(upstream.requests.length, 1, 'the SMS item did not go upstream');
  assert.ok(receiver.received.every((c) => c.verified), receiver.received.map((c) => c.verifyError).join());
});

test('failover: a WhatsApp attempt failed by the Cloud API webhook starts the SMS item on the SMSC', async () => {
  const graph = await startStandIn(() => ({ status: 200, body: { messages: [{ id: 'wamid.fail-1' }] } }));
  const smsc = await startSmsc({ receipt: deliveredReceipt });
  const receiver = await startReceiver();
  const relay = await startRelay({
    SMSC_URL: smsc.url,
    WHATSAPP_BASE_URL: graph.baseUrl,
    WHATSAPP_ACCESS_TOKEN: 't',
    WHATSAPP_PHONE_NUMBER_ID: '1',
    WHATSAPP_APP_SECRET: 'app-secret',
    WHATSAPP_VERIFY_TOKEN: 'v',
  });
  open.push(() => graph.close(), () => smsc.close(), () => receiver.close(), () => relay.stop());
  await waitFor(() => smsc.binds > 0, 5_000, 'bind');
  const res = await relay.api('POST', '/v1/messages', textMessage({
    channel: 'whatsapp', text: 'WA hello', webhook_url: receiver.url, failover: [textMessage({ text: 'SMS hello' })],
  }));
  await waitFor(() => receiver.received.length === 1, 5_000, 'whatsapp submitted');
  const body = JSON.stringify(whatsappStatuses({ id: 'wamid.fail-1', status: 'failed', timestamp: '1700000000', errors: [{ code: 131026 }] }));
  assert.equal((await post(`${relay.baseUrl}/v1/providers/whatsapp`, body, { 'x-hub-signature-256': hubSignature(body, 'app-secret') })).status, 200);
  await waitFor(() => receiver.received.length === 4, 5_000, 'four callbacks');
  const byItem = (number: string) => callbacksOfItem(receiver.received, number);
  assert.deepEqual(byItem('1'), [
    ['whatsapp', 'submitted', res.body.workflow_id, '1', '2'],
    ['whatsapp', 'rejected', res.body.workflow_id, '1', '2'],
  ]);
  assert.deepEqual(byItem('2'), [
    ['sms', 'submitted', res.body.workflow_id, '2', '2'],
    ['sms', 'delivered', res.body.workflow_id, '2', '2'],
  ]);
  assert.equal(receiver.received.find((c) => c.json.status === 'rejected')?.json.error.title, '1300');
  assert.equal(smsc.submits[0].text, 'SMS hello');
});

/**
 * WhatsApp over the Cloud API: a stand-in Graph API on 127.0.0.1 takes the sends, the test
 * plays Meta's signed status webhooks, a verifying receiver sees the callbacks.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import { closeAfterAll } from './helpers/cleanup.js';
import assert from 'node:assert/strict';
import { startRelay, waitFor } from './helpers/relay.js';
import { hubSignature, post, startProviderRig, whatsappStatuses, type ProviderRig, type StandInAnswer, type ProviderRequest } from './helpers/providers.js';

const SECRET = 'app-secret';
const VERIFY = 'verify-me';
const PRICING = { billable: true, pricing_model: 'CBP', category: 'utility' };
const CONVERSATION = { id: 'conv-1', origin: { type: 'utility' } };

const open = closeAfterAll();

interface Rig extends ProviderRig {
  /** POSTs a status webhook signed as Meta signs it; `null` sends no signature. */
  webhook(body: unknown, signature?: string | null): ReturnType<typeof post>;
}

let wamid = 0;
const accepted = (): StandInAnswer => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: `wamid.${++wamid}` }] } });

async function rig(answer: (request: ProviderRequest, index: number) => StandInAnswer = accepted, env: Record<string, string> = {}): Promise<Rig> {
  const r = await startProviderRig({
    answer,
    env: (baseUrl) => ({
      WHATSAPP_BASE_URL: baseUrl,
      WHATSAPP_ACCESS_TOKEN: 'token-1',
      WHATSAPP_PHONE_NUMBER_ID: '1055',
      WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY,
      PROVIDER_RETRY_BASE_MS: '20',
      ...env,
    }),
    message: { channel: 'whatsapp', to: '447700900000', text: 'Hi' },
    open,
  });
  return {
    ...r,
    webhook(body, signature) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const sig = signature === undefined ? hubSignature(text, SECRET) : signature;
      return post(`${r.relay.baseUrl}/v1/providers/whatsapp`, text, sig === null ? {} : { 'x-hub-signature-256': sig });
    },
  };
}

test('a text goes to the Graph API with the bearer token; sent, delivered and read come back as callbacks', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const [request] = r.provider.requests;
  assert.equal(request.url, '/v21.0/1055/messages');
  assert.equal(request.headers.authorization, 'Bearer token-1');
  assert.deepEqual(request.json, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '447700900000', type: 'text', text: { preview_url: false, body: 'Hi' } });

  const ts = String(Math.floor(Date.now() / 1000));
  const res = await r.webhook(whatsappStatuses(
    { id: ref, status: 'sent', timestamp: ts, recipient_id: '447700900000', pricing: PRICING, conversation: CONVERSATION },
    { id: ref, status: 'delivered', timestamp: ts, recipient_id: '447700900000', pricing: PRICING, conversation: CONVERSATION },
  ));
  assert.equal(res.status, 200);
  await r.webhook(whatsappStatuses({ id: ref, status: 'read', timestamp: ts, recipient_id: '447700900000' }));
  await waitFor(() => r.callbacks(uuid).length === 3, 5_000, 'three callbacks');
  const [submitted, delivered, read] = r.callbacks(uuid);
  assert.deepEqual([submitted.status, delivered.status, read.status], ['submitted', 'delivered', 'read']);
  assert.deepEqual(delivered.whatsapp, { pricing: PRICING, conversation: CONVERSATION });
  assert.equal(delivered.timestamp, new Date(Number(ts) * 1000).toISOString());
});

test('read without delivered gives both; failed gives rejected with a mapped error', async () => {
  const r = await rig();
  const [first, second] = [await r.send(), await r.send({ message_type: 'image', text: undefined, image: { url: 'https://img.example/a.png', caption: 'look' } })];
  const [ref1, ref2] = [await r.providerRef(first), await r.providerRef(second)];
  assert.deepEqual(r.provider.requests[1].json.image, { link: 'https://img.example/a.png', caption: 'look' });
  await r.webhook(whatsappStatuses(
    { id: ref1, status: 'read', timestamp: '1700000000' },
    { id: ref2, status: 'failed', timestamp: '1700000000', errors: [{ code: 131047, title: 'Re-engagement message' }] },
  ));
  await waitFor(() => r.callbacks(first).length === 3 && r.callbacks(second).length === 2, 5_000, 'callbacks');
  assert.deepEqual(r.callbacks(first).map((c) => c.status), ['submitted', 'delivered', 'read']);
  const rejected = r.callbacks(second)[1];
  assert.equal(rejected.status, 'rejected');
  assert.equal(rejected.error.title, '1340');
});

test('unsigned, wrongly signed and broken webhooks are refused; nothing changes', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const body = JSON.stringify(whatsappStatuses({ id: ref, status: 'delivered', timestamp: '1700000000' }));
  const unsigned = await r.webhook(body, null);
  const wrong = await r.webhook(body, hubSignature(body, 'not-the-secret'));
  const tampered = await r.webhook(body.replace('delivered', 'read'), hubSignature(body, SECRET));
  for (const res of [unsigned, wrong, tampered]) {
    assert.equal(res.status, 401);
    assert.match(res.contentType ?? '', /^application\/problem\+json/);
  }
  const broken = await r.webhook('{"entry": [', undefined);
  assert.equal(broken.status, 400);
  assert.equal(broken.json.title, 'Malformed JSON body');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted']);
  const metrics = await (await fetch(`${r.relay.baseUrl}/metrics`)).text();
  assert.match(metrics, /statusrelay_provider_input_refused_total\{source="whatsapp",reason="bad-signature"\} 2/);
  assert.match(metrics, /statusrelay_provider_input_refused_total\{source="whatsapp",reason="no-signature"\} 1/);
  assert.match(metrics, /statusrelay_provider_input_refused_total\{source="whatsapp",reason="broken-json"\} 1/);
});

test('unknown ids and unknown statuses are parked and acknowledged', async () => {
  const r = await rig(accepted, { PROVIDER_HOLD_MS: '50' });
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const res = await r.webhook(whatsappStatuses({ id: 'wamid.nobody', status: 'delivered', timestamp: '1700000000' }, { id: ref, status: 'deleted' }));
  assert.equal(res.status, 200);
  const parked = await r.relay.relay.store.listParkedReports(10);
  assert.deepEqual(parked.map((p) => p.reason.split(':')[0]).sort(), ['unknown-id', 'unknown-state']);
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted']);
});

test('a webhook that overtakes the send answer waits for it and is applied after submitted', async () => {
  let relayUrl = '';
  const r = await rig((request) => {
    const id = `wamid.early.${request.json.to}`;
    const body = JSON.stringify(whatsappStatuses({ id, status: 'delivered', timestamp: '1700000000' }));
    void post(`${relayUrl}/v1/providers/whatsapp`, body, { 'x-hub-signature-256': hubSignature(body, SECRET) });
    return { status: 200, body: { messages: [{ id }] }, delayMs: 150 };
  });
  relayUrl = r.relay.baseUrl;
  const uuid = await r.send();
  await waitFor(() => r.callbacks(uuid).length === 2, 5_000, 'two callbacks');
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted', 'delivered']);
  assert.equal((await r.relay.relay.store.listParkedReports(10)).length, 0);
});

test('Graph refusals reject with a mapped code; outages are retried, then undeliverable', async () => {
  const r = await rig((request, i) => {
    if (request.json.to === '447700900002') return { status: 400, body: { error: { code: 131026, message: 'undeliverable' } } };
    if (request.json.to === '447700900003') return i < 3 ? { status: 503 } : accepted();
    return { status: 500 };
  }, { PROVIDER_PATIENCE_MS: '300' });
  const refused = await r.send({ to: '447700900002' });
  const flaky = await r.send({ to: '447700900003' });
  const down = await r.send({ to: '447700900004' });
  await waitFor(() => [refused, flaky, down].every((u) => r.callbacks(u).length === 1), 5_000, 'one callback each');
  assert.deepEqual([r.callbacks(refused)[0].status, r.callbacks(refused)[0].error.title], ['rejected', '1300']);
  assert.equal(r.callbacks(flaky)[0].status, 'submitted');
  assert.deepEqual([r.callbacks(down)[0].status, r.callbacks(down)[0].error.title], ['undeliverable', '1331']);
});

test('the subscription handshake answers the challenge only with the right token', async () => {
  const r = await rig();
  const ok = await fetch(`${r.relay.baseUrl}/v1/providers/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), '1158201444');
  const wrong = await fetch(`${r.relay.baseUrl}/v1/providers/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
  assert.equal(wrong.status, 401);
  assert.match(wrong.headers.get('content-type') ?? '', /^application\/problem\+json/);
});

test('without WhatsApp configured the webhook exists and refuses everything', async () => {
  const relay = await startRelay();
  open.push(() => relay.stop());
  const body = JSON.stringify(whatsappStatuses({ id: 'x', status: 'read' }));
  const res = await post(`${relay.baseUrl}/v1/providers/whatsapp`, body, { 'x-hub-signature-256': hubSignature(body, SECRET) });
  assert.equal(res.status, 404);
  assert.match(res.contentType ?? '', /^application\/problem\+json/);
  assert.equal(res.json.title, 'Provider not configured');
  const get = await fetch(`${relay.baseUrl}/v1/providers/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);
  assert.equal(get.status, 404);
  // The rest of the API still parses JSON as before.
  assert.equal((await relay.api('POST', '/v1/messages', '{"broken":')).status, 400);
});

test('one unreadable status ({"toString":1} fields) is parked; the rest of the batch is applied and acknowledged', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await r.webhook(whatsappStatuses(
    { id: ref, status: { toString: 1 }, timestamp: ts },
    { id: ref, status: 'sent', timestamp: { toString: 1 } },
    { id: ref, status: 'delivered', timestamp: ts },
  ));
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual(res.json, { received: 3 });
  await waitFor(() => r.callbacks(uuid).length === 2, 5_000, 'submitted and delivered');
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted', 'delivered']);
});

test('failed after delivered (another device, webhooks out of order) is history only: no rejected, no failover', async () => {
  const r = await rig();
  const uuid = await r.send({ failover: [{ channel: 'sms', message_type: 'text', to: '447700900000', from: 'ACME', text: 'Hi' }] });
  const ref = await r.providerRef(uuid);
  const failed = { id: ref, status: 'failed', timestamp: '1700000002', errors: [{ code: 131026, title: 'Message undeliverable' }] };
  assert.equal((await r.webhook(whatsappStatuses({ id: ref, status: 'delivered', timestamp: '1700000001' }))).status, 200);
  assert.equal((await r.webhook(whatsappStatuses(failed))).status, 200);
  assert.equal((await r.webhook(whatsappStatuses({ id: ref, status: 'read', timestamp: '1700000003' }))).status, 200);
  await waitFor(() => r.callbacks(uuid).length === 3, 5_000, 'three callbacks');
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted', 'delivered', 'read']);
  const history = (await r.relay.api('GET', `/v1/messages/${uuid}`)).body;
  assert.equal(history.status, 'read');
  const rejected = history.statuses.find((s: any) => s.status === 'rejected');
  assert.equal(rejected?.forwarded, false, JSON.stringify(history.statuses));
  assert.equal(rejected?.error?.title, '1300');
  assert.equal(history.workflow?.items_total, '2');
  const started = r.receiver.received.filter((c) => c.json.message_uuid !== uuid);
  assert.deepEqual(started, [], 'no failover item was started');
});

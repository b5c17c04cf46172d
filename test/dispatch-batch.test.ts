/**
 * Batched delivery to URL destinations: the batch settings' validation, the batch key and id, the
 * batch bodies, and end to end on both stores: fewer POSTs, every item once, one signature over
 * the whole body, a failed batch retried whole under the same webhook-id, order per message.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { checkBatch, destinationKey, itemsPerAttempt } from '../src/model/destination.js';
import { validateForwardingRules } from '../src/model/forwarding-rules.js';
import { batchId } from '../src/dispatch/batcher.js';
import { batchRenderer, parseXmlCallbacks, renderBody } from '../src/dispatch/formats.js';
import { createSlots } from '../src/dispatch/slots.js';
import { claimedCallback } from './helpers/fixtures.js';
import { startReceiver, startRelay, testStores, waitFor, type ReceivedCallback } from './helpers/relay.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, report, sendMessage, setRules } from './helpers/forwarding.js';

const URL_RULE = { type: 'url', url: 'https://example.com/status', format: 'json' };

test('batch settings: what the forwarding rules accept and how they name a refusal', () => {
  const cases: Array<[unknown, string[]]> = [
    [{ max_items: 1, max_wait_ms: 0 }, []],
    [{ max_items: 1000, max_wait_ms: 10000 }, []],
    [{ max_items: 0, max_wait_ms: 0 }, ['sms.suite.batch.max_items']],
    [{ max_items: 1001, max_wait_ms: 0 }, ['sms.suite.batch.max_items']],
    [{ max_items: 1.5, max_wait_ms: 0 }, ['sms.suite.batch.max_items']],
    [{ max_items: '10', max_wait_ms: 0 }, ['sms.suite.batch.max_items']],
    [{ max_items: 10, max_wait_ms: -1 }, ['sms.suite.batch.max_wait_ms']],
    [{ max_items: 10, max_wait_ms: 10001 }, ['sms.suite.batch.max_wait_ms']],
    [{ max_items: 10 }, ['sms.suite.batch.max_wait_ms']],
    [{ max_items: 10, max_wait_ms: 5, size: 1 }, ['sms.suite.batch.size']],
    [null, ['sms.suite.batch']],
    [[10, 5], ['sms.suite.batch']],
    [{ toString: 1 }, ['sms.suite.batch.toString', 'sms.suite.batch.max_items', 'sms.suite.batch.max_wait_ms']],
  ];
  for (const [batch, names] of cases) {
    const result = validateForwardingRules({ sms: { suite: { ...URL_RULE, batch } } });
    assert.deepEqual(result.ok ? [] : result.invalid.map((problem) => problem.name), names, JSON.stringify(batch));
    if (result.ok) assert.deepEqual((result.value.sms.suite as { batch?: unknown }).batch, batch, 'stored as given');
  }
  const email = validateForwardingRules({ sms: { suite: { type: 'email', address: 'ops@example.com', format: 'json', batch: { max_items: 5, max_wait_ms: 0 } } } });
  assert.deepEqual(email.ok ? [] : email.invalid.map((problem) => problem.name), ['sms.suite.batch'], 'only url destinations batch');
  assert.deepEqual(checkBatch({ max_items: 7, max_wait_ms: 20 }), { value: { max_items: 7, max_wait_ms: 20 } });
});

test('a batched URL has a destination key of its own, carrying its items per attempt', () => {
  const cases: Array<[Parameters<typeof destinationKey>[0], string, number]> = [
    [{ type: 'url', url: 'https://example.com/a' }, 'url:https://example.com', 1],
    [{ type: 'url', url: 'https://example.com/b', batch: { max_items: 100, max_wait_ms: 0 } }, 'url:https://example.com#batch=100', 100],
    [{ type: 'sqs', queue_url: 'https://sqs.eu-central-1.amazonaws.com/123456789012/q' }, 'sqs:https://sqs.eu-central-1.amazonaws.com/123456789012/q', 1],
  ];
  for (const [destination, key, items] of cases) {
    assert.equal(destinationKey(destination), key);
    assert.equal(itemsPerAttempt(key), items, key);
  }
});

test('the batch id is a UUID of the member ids, whatever their order', () => {
  const id = batchId(['b', 'a', 'c']);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(batchId(['c', 'b', 'a']), id);
  assert.notEqual(batchId(['a', 'b']), id);
});

test('batch bodies: JSON items unchanged in an array, XML items under <status_callbacks>', () => {
  const payloads = [
    { message_uuid: 'u1', to: '4915112345678', from: 'ACME', timestamp: '2026-11-23T09:15:02.120Z', status: 'submitted', channel: 'sms' },
    { message_uuid: 'u2', to: '4915112345679', from: 'ACME', timestamp: '2026-11-23T09:15:02.480Z', status: 'delivered', channel: 'sms', sms: { count_total: '2', segments: [{ part: '1', status: 'delivered' }] } },
  ];
  const json = payloads.map((payload) => renderBody(payload as never, 'json').body);
  assert.equal(batchRenderer('json')!(json), `[${json[0]},${json[1]}]`);
  const xml = batchRenderer('xml')!(payloads.map((payload) => renderBody(payload as never, 'xml').body));
  assert.equal(xml.match(/<\?xml/g)?.length, 1, 'one XML declaration');
  assert.deepEqual(parseXmlCallbacks(xml), payloads);
  assert.equal(batchRenderer('websms_json'), undefined, 'websms reports are never batched');
});

test('slots: a batched destination holds its concurrency times its items per attempt, each a fraction of a slot', () => {
  const slots = createSlots(2, 10);
  const key = 'url:https://example.com#batch=50';
  assert.equal(slots.roomFor(key), 100, '2 attempts × 50 items');
  for (let i = 0; i < 30; i++) slots.admit(claimedCallback({ id: `c${i}`, destination_key: key }));
  assert.equal(slots.roomFor(key), 70);
  for (let i = 30; i < 100; i++) assert.equal(slots.admit(claimedCallback({ id: `c${i}`, destination_key: key })), true, `callback ${i} starts`);
  assert.equal(slots.roomFor(key), 0);
  assert.deepEqual(slots.fullKeys(), [key]);
  assert.equal(slots.room(), 8, 'two of the ten slots');
  assert.equal(slots.admit(claimedCallback({ id: 'waits', destination_key: key })), false);
  for (let i = 0; i < 101; i++) slots.finish(key);
  assert.equal(slots.room(), 10);
});

/** Every item of a POST, with what the POST looked like. */
function itemsOf(posts: ReceivedCallback[]) {
  return posts.flatMap((post) => (post.json as Array<{ message_uuid: string; status: string }>).map((item) => ({ ...item, post })));
}

for (const store of testStores()) {
  test(`${store.kind}: PATCH /v1/account status_batch is checked, shown and cleared`, { skip: store.skip }, async (t) => {
    const relay = await startRelay(SILENT_SIMULATOR, { store: store.kind });
    t.after(() => relay.stop());
    assert.equal((await relay.api('GET', '/v1/account')).body.status_batch, null);
    const refused = await relay.api('PATCH', '/v1/account', { status_batch: { max_items: 0, max_wait_ms: 20000, extra: true } });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.invalid_parameters.map((p: { name: string }) => p.name), ['status_batch.extra', 'status_batch.max_items', 'status_batch.max_wait_ms']);
    const batch = { max_items: 100, max_wait_ms: 20 };
    const patched = await relay.api('PATCH', '/v1/account', { status_batch: batch });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.status_batch, batch);
    assert.deepEqual((await relay.api('GET', '/v1/account')).body.status_batch, batch);
    assert.equal((await relay.api('PATCH', '/v1/account', { status_url: null })).body.status_batch.max_items, 100, 'other fields leave it');
    assert.equal((await relay.api('PATCH', '/v1/account', { status_batch: null })).body.status_batch, null);
  });

  test(`${store.kind}: batched callbacks arrive in fewer signed POSTs, a failed batch comes again whole`, { skip: store.skip }, async (t) => {
    // Concurrency 2: if it counted callbacks rather than POSTs, no POST could carry more than two.
    const relay = await startRelay({ ...SILENT_SIMULATOR, DESTINATION_CONCURRENCY: '2' }, { store: store.kind });
    const receiver = await startReceiver({ secret: relay.credentials.signature_secret, answer: (_callback, index) => (index === 0 ? 500 : 200) });
    t.after(async () => {
      await relay.stop();
      await receiver.close();
    });
    await relay.api('PATCH', '/v1/account', { status_url: receiver.url, status_batch: { max_items: 50, max_wait_ms: 300 } });
    const unbatched = await startReceiver();
    t.after(() => unbatched.close());
    const uuids = await Promise.all(Array.from({ length: 20 }, () => sendMessage(relay)));
    const own = await sendMessage(relay, { webhook_url: unbatched.url });
    for (const uuid of uuids) await report(relay, uuid, ['submitted']);
    await report(relay, own, ['submitted']);
    // Nothing else is on its way until the failed batch came again: it cannot take others along.
    const failedId = () => receiver.received[0]?.headers['webhook-id'];
    await waitFor(() => receiver.received.filter((post) => post.headers['webhook-id'] === failedId()).length >= 2, 10_000, 'the failed batch and its retry');
    for (const uuid of uuids) await report(relay, uuid, ['delivered']);
    for (const uuid of uuids) await callbacksOf(relay, uuid, allFinished(2));

    const posts = receiver.received;
    for (const post of posts) {
      assert.equal(post.verified, true, post.verifyError);
      assert.ok(Array.isArray(post.json), 'a JSON array');
    }
    assert.ok(posts.length < 20, `40 callbacks in ${posts.length} POSTs`);
    const [failed] = posts;
    const retried = posts.filter((post) => post.headers['webhook-id'] === failed!.headers['webhook-id']);
    assert.equal(retried.length, 2, 'the failed batch came once more under its webhook-id');
    assert.equal(retried[1]!.body, failed!.body, 'with the same items');

    const acknowledged = itemsOf(posts.slice(1));
    const seen = new Map<string, number>();
    for (const item of acknowledged) seen.set(`${item.message_uuid} ${item.status}`, (seen.get(`${item.message_uuid} ${item.status}`) ?? 0) + 1);
    assert.equal(seen.size, 40);
    assert.ok([...seen.values()].every((count) => count === 1), 'every item acknowledged exactly once');
    for (const uuid of uuids) {
      const arrival = (status: string) => acknowledged.find((item) => item.message_uuid === uuid && item.status === status)!.post.receivedAt;
      assert.ok(arrival('submitted') <= arrival('delivered'), 'submitted before delivered');
    }
    assert.equal(unbatched.received.length, 1, "a message's own webhook_url is not batched");
    assert.equal(unbatched.received[0]!.json.message_uuid, own);

    const metrics = await (await fetch(`${relay.baseUrl}/metrics`)).text();
    assert.match(metrics, /statusrelay_callback_batches_total\{verdict="retry"\} 1\b/);
    assert.match(metrics, /statusrelay_callback_batch_items_total \d+/);
  });

  test(`${store.kind}: a forwarding rule's batched XML destination gets one <status_callbacks> body`, { skip: store.skip }, async (t) => {
    const relay = await startRelay(SILENT_SIMULATOR, { store: store.kind });
    const receiver = await startReceiver({ secret: relay.credentials.signature_secret });
    t.after(async () => {
      await relay.stop();
      await receiver.close();
    });
    await setRules(relay, { ott: { api: { type: 'url', url: receiver.url, format: 'xml', batch: { max_items: 5, max_wait_ms: 5000 } } } });
    const uuids = await Promise.all(Array.from({ length: 5 }, () => sendMessage(relay, { channel: 'whatsapp', from: 'ACME Shop' })));
    for (const uuid of uuids) await report(relay, uuid, ['submitted']);
    await waitFor(() => receiver.received.length === 1, 5_000, 'one POST once five are there, long before max_wait_ms');
    const [post] = receiver.received;
    assert.equal(post!.verified, true, post!.verifyError);
    assert.equal(post!.headers['content-type'], 'application/xml');
    const items = parseXmlCallbacks(post!.body) as Array<{ message_uuid: string; status: string }>;
    assert.deepEqual(items.map((item) => item.message_uuid).sort(), [...uuids].sort());
    assert.ok(items.every((item) => item.status === 'submitted'));
  });
}

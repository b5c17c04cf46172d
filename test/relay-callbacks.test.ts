/**
 * Signed HTTP callbacks end to end: real relay, real receivers, reports injected into the
 * lifecycle (the simulator is slowed down so it stays silent during a test).
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver, startRelay, startRelayAndReceiver, waitFor } from './helpers/relay.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, record, report, sendMessage } from './helpers/forwarding.js';

test('every callback is signed twice and verifies with the public verifiers', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR, (running) => ({ secret: running.credentials.signature_secret }));
  const uuid = await sendMessage(relay, { webhook_url: receiver.url, client_ref: 'order-7' });
  await report(relay, uuid, ['submitted'], { usage: { currency: 'EUR', price: '0.0333' }, network_code: '23201' });
  await report(relay, uuid, ['delivered'], { network_code: '23201', sms: { count_total: '1' } });
  await waitFor(() => receiver.received.length === 2, 5_000, 'two callbacks');

  for (const callback of receiver.received) {
    assert.equal(callback.verified, true, callback.verifyError);
    assert.equal(callback.json.message_uuid, uuid);
    assert.equal(callback.json.client_ref, 'order-7');
    assert.equal(callback.headers['content-type'], 'application/json');
  }
  const [submitted, delivered] = receiver.received.map((callback) => callback.json);
  assert.equal(submitted.status, 'submitted');
  assert.deepEqual(submitted.usage, { currency: 'EUR', price: '0.0333' });
  assert.deepEqual(submitted.destination, { network_code: '23201' });
  assert.equal(delivered.status, 'delivered');
  assert.equal(delivered.usage, undefined, 'usage only on the billable status (sms: submitted)');
  assert.deepEqual(delivered.sms, { count_total: '1' });
  assert.notEqual(receiver.received[0].headers['webhook-id'], receiver.received[1].headers['webhook-id']);
});

test('a wrong secret does not verify (the receiver check can fail)', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR, () => ({ secret: 'whsec_' + Buffer.alloc(32, 1).toString('base64') }));
  const uuid = await sendMessage(relay, { webhook_url: receiver.url });
  await report(relay, uuid, ['submitted']);
  await waitFor(() => receiver.received.length === 1, 5_000, 'one callback');
  assert.equal(receiver.received[0].verified, false);
});

test('the account status URL is used when the message names none', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR);
  const patched = await relay.api('PATCH', '/v1/account', { status_url: receiver.url });
  assert.equal(patched.status, 200);
  assert.equal((await relay.api('GET', '/v1/account')).body.status_url, receiver.url);
  await report(relay, await sendMessage(relay), ['submitted']);
  await waitFor(() => receiver.received.length === 1, 5_000, 'callback at the account URL');
});

test('read before delivered forwards delivered then read; duplicates and late reports are not forwarded', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR);
  const uuid = await sendMessage(relay, { webhook_url: receiver.url, channel: 'whatsapp', from: 'ACME Shop' });
  await report(relay, uuid, ['submitted', 'read']);
  assert.equal((await record(relay, uuid, 'read')).verdict, 'duplicate');
  assert.equal((await record(relay, uuid, 'submitted')).verdict, 'duplicate');
  // Every callback the message has is finished, so nothing more is on its way to the receiver.
  await callbacksOf(relay, uuid, allFinished(3), 5_000);
  assert.deepEqual(receiver.received.map((callback) => callback.json.status), ['submitted', 'delivered', 'read']);
  const history = (await relay.api('GET', `/v1/messages/${uuid}`)).body;
  assert.equal(history.status, 'read');
  assert.deepEqual(history.statuses.map((event: any) => [event.status, event.implied]), [
    ['submitted', false],
    ['delivered', true],
    ['read', false],
  ]);
});

test('per message, callbacks arrive in status order even when the first needs retries', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR, () => ({
    answer: (callback, index) => (index < 2 && callback.json.status === 'submitted' ? 503 : 200),
  }));
  const uuid = await sendMessage(relay, { webhook_url: receiver.url });
  await report(relay, uuid, ['submitted', 'delivered']);
  const [submitted] = await callbacksOf(relay, uuid, allFinished(2), 5_000);
  assert.deepEqual(receiver.received.map((callback) => callback.json.status), ['submitted', 'submitted', 'submitted', 'delivered']);
  const ids = new Set(receiver.received.slice(0, 3).map((callback) => callback.headers['webhook-id']));
  assert.equal(ids.size, 1, 'retries keep the webhook-id');
  assert.equal(submitted.state, 'delivered');
  assert.deepEqual(submitted.attempts_log.map((attempt: any) => attempt.status_code), [503, 503, 200]);
  assert.deepEqual(submitted.attempts_log.map((attempt: any) => attempt.outcome), ['retry', 'retry', 'delivered']);
});

test('429 is retried after Retry-After; 410 and 404 are permanent failures', async (t) => {
  const relay = await startRelay({ ...SILENT_SIMULATOR, RETRY_CAP_MS: '5000' });
  const throttled = await startReceiver({ answer: (_callback, index) => (index === 0 ? 429 : 200), headers: { 'retry-after': '1' } });
  const gone = await startReceiver({ answer: () => 410 });
  const missing = await startReceiver({ answer: () => 404 });
  t.after(async () => {
    await relay.stop();
    await Promise.all([throttled.close(), gone.close(), missing.close()]);
  });
  const a = await sendMessage(relay, { webhook_url: throttled.url });
  const b = await sendMessage(relay, { webhook_url: gone.url });
  const c = await sendMessage(relay, { webhook_url: missing.url });
  for (const uuid of [a, b, c]) await report(relay, uuid, ['submitted']);

  await callbacksOf(relay, a, (callbacks) => callbacks[0]?.state === 'delivered', 5_000);
  const [first, second] = throttled.received;
  assert.ok(second.receivedAt - first.receivedAt >= 900, 'waited for Retry-After');
  for (const [uuid, code] of [[b, 410], [c, 404]] as const) {
    const [callback] = await callbacksOf(relay, uuid, (callbacks) => callbacks[0]?.state === 'failed', 5_000);
    assert.equal(callback.attempts, 1, 'not retried');
    assert.equal(callback.attempts_log[0].status_code, code);
  }
  assert.equal(gone.received.length, 1);
  assert.equal(missing.received.length, 1);
});

test('timeouts and a receiver that is down are retried until the window ends, then dead-lettered and replayable', async (t) => {
  const relay = await startRelay({ ...SILENT_SIMULATOR, RETRY_WINDOW_MS: '1500' });
  const hanging = await startReceiver({ answer: () => 'hang' });
  const down = await startReceiver();
  const downUrl = down.url;
  await down.close();
  t.after(async () => {
    await relay.stop();
    await hanging.close();
  });
  const slow = await sendMessage(relay, { webhook_url: hanging.url });
  const dead = await sendMessage(relay, { webhook_url: downUrl });
  await report(relay, slow, ['submitted']);
  await report(relay, dead, ['submitted']);

  for (const uuid of [slow, dead]) {
    const [callback] = await callbacksOf(relay, uuid, (callbacks) => callbacks[0]?.state === 'dead', 10_000);
    assert.ok(callback.attempts >= 2, `retried (${callback.attempts} attempts)`);
    assert.ok(callback.attempts_log.every((attempt: any) => attempt.error), 'each attempt records its error');
  }
  assert.match((await callbacksOf(relay, slow))[0].last_error, /timeout/);
  assert.match((await callbacksOf(relay, dead))[0].last_error, /ECONNREFUSED/);

  // Bulk replay: the window must be a timestamp; every dead letter since then is attempted again.
  const replay = await relay.api('POST', '/v1/callbacks/replay', { since: 'not a date' });
  assert.equal(replay.status, 422);
  assert.equal(replay.body.invalid_parameters[0].name, 'since');
  const [deadCallback] = await callbacksOf(relay, dead);
  const attemptsBefore = hanging.received.length;
  const bulk = await relay.api('POST', '/v1/callbacks/replay', { since: new Date(Date.now() - 60_000).toISOString() });
  assert.equal(bulk.status, 202);
  assert.equal(bulk.body.replayed, 2);
  await waitFor(() => hanging.received.length > attemptsBefore, 5_000, 'replayed attempt');
  const again = await callbacksOf(relay, dead);
  assert.equal(again[0].id, deadCallback.id);
});

test('replaying one callback re-sends it with the same webhook-id', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR, (running) => ({ secret: running.credentials.signature_secret }));
  const uuid = await sendMessage(relay, { webhook_url: receiver.url });
  await report(relay, uuid, ['submitted']);
  const [callback] = await callbacksOf(relay, uuid, (callbacks) => callbacks[0]?.state === 'delivered', 5_000);

  const replay = await relay.api('POST', `/v1/callbacks/${callback.id}/replay`);
  assert.equal(replay.status, 202);
  await waitFor(() => receiver.received.length === 2, 5_000, 'replayed delivery');
  assert.equal(receiver.received[1].headers['webhook-id'], receiver.received[0].headers['webhook-id']);
  assert.equal(receiver.received[1].body, receiver.received[0].body, 'same bytes');
  assert.equal(receiver.received[1].verified, true, receiver.received[1].verifyError);

  assert.equal((await relay.api('POST', '/v1/callbacks/00000000-0000-4000-8000-000000000000/replay')).status, 404);
});

test('a slow receiver holds only its own slots: another destination is served while all of them hang', async (t) => {
  // The slow receiver's attempts cannot time out during the test; t.after cuts them.
  const relay = await startRelay({ ...SILENT_SIMULATOR, DESTINATION_CONCURRENCY: '4', RESPONSE_TIMEOUT_MS: '600000', LEASE_MS: '3600000' });
  const slow = await startReceiver({ answer: () => 'hang' });
  const fast = await startReceiver();
  t.after(async () => {
    await slow.close(); // lets the hung attempts fail, so the relay can stop
    await relay.stop();
    await fast.close();
  });
  const slowIds = await Promise.all(Array.from({ length: 20 }, () => sendMessage(relay, { webhook_url: slow.url })));
  for (const uuid of slowIds) await report(relay, uuid, ['submitted']);
  await waitFor(() => slow.received.length === 4, 5_000, 'slow receiver saturated');
  const fastIds = await Promise.all(Array.from({ length: 20 }, () => sendMessage(relay, { webhook_url: fast.url })));
  for (const uuid of fastIds) await report(relay, uuid, ['submitted']);
  // Were the fast destination queued behind the hung attempts, this would wait ten minutes.
  await waitFor(() => fast.received.length === 20, 30_000, 'fast receiver served');

  // The slow receiver answers nothing, so every request it got is an attempt still in flight.
  assert.equal(slow.received.length, 4, 'the slow destination never gets more than its concurrency');
  const slowCallbacks = await Promise.all(slowIds.map(async (uuid) => (await callbacksOf(relay, uuid, (list) => list.length === 1))[0]));
  assert.deepEqual(slowCallbacks.filter((callback) => callback.attempts_log.length > 0), [], 'no slow attempt has ended');
});

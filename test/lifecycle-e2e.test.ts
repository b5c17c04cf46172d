/** TTL expiry and failover through the whole relay, as a customer's receiver sees them. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { startRelayAndReceiver, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { makeError } from '../src/model/errors.js';

test('a message whose TTL runs out is rejected with 1360 and stays rejected', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, { SIMULATOR_TIME_SCALE: '1000' });
  const sent = await relay.api('POST', '/v1/messages', textMessage({ webhook_url: receiver.url, ttl: 60 }));
  const uuid = sent.body.message_uuid;
  await relay.relay.recorder.record({ message_uuid: uuid, status: 'submitted', occurred_at: Date.now(), source: 'test' });
  await waitFor(() => receiver.received.length === 1, 5_000, 'submitted');

  // Move the message's expiry into the past rather than waiting a minute.
  const message = (await relay.relay.store.getMessage(uuid))!;
  await relay.relay.store.transition([uuid], () => [
    { message: { ...message, state: 'submitted', seen: ['submitted'], expires_at: Date.now() - 1 }, events: [], callbacks: [], started: [] },
  ]);
  await waitFor(() => receiver.received.length === 2, 5_000, 'rejected by TTL');
  const rejected = receiver.received[1].json;
  assert.equal(rejected.status, 'rejected');
  assert.equal(rejected.error.title, '1360');
  assert.match(rejected.error.type, /#1360$/);

  const late = await relay.relay.recorder.record({ message_uuid: uuid, status: 'delivered', occurred_at: Date.now(), source: 'test' });
  assert.equal(late.verdict, 'late');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(receiver.received.length, 2, 'a late delivered is not forwarded');
  assert.equal((await relay.api('GET', `/v1/messages/${uuid}`)).body.status, 'rejected');
});

test('a rejected RCS attempt starts the SMS item; every callback carries the workflow', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, { SIMULATOR_TIME_SCALE: '1000' });
  const sent = await relay.api('POST', '/v1/messages', textMessage({ channel: 'rcs', webhook_url: receiver.url, failover: [textMessage()] }));
  const rcs = sent.body.message_uuid;
  const error = makeError(1400, 'https://example.com/errors', 'e1');
  await relay.relay.recorder.record({ message_uuid: rcs, status: 'rejected', occurred_at: Date.now(), source: 'test', error });
  await waitFor(() => receiver.received.length === 1, 5_000, 'rcs rejected');

  const open = await relay.relay.store.listOpen(10);
  assert.equal(open.length, 1, 'the SMS item exists');
  const sms = open[0];
  assert.equal(sms.channel, 'sms');
  await relay.relay.recorder.record({ message_uuid: sms.uuid, status: 'submitted', occurred_at: Date.now(), source: 'test' });
  await waitFor(() => receiver.received.length === 2, 5_000, 'sms submitted');

  const [first, second] = receiver.received.map((callback) => callback.json);
  assert.equal(first.channel, 'rcs');
  assert.equal(first.status, 'rejected');
  assert.deepEqual(first.workflow, { workflow_id: sent.body.workflow_id, items_number: '1', items_total: '2' });
  assert.equal(second.channel, 'sms');
  assert.equal(second.message_uuid, sms.uuid);
  assert.deepEqual(second.workflow, { workflow_id: sent.body.workflow_id, items_number: '2', items_total: '2' });
});

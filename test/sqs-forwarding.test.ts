/** SQS forwarding end to end against fauxqs on 127.0.0.1, with the real AWS SDK. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRelay, type RunningRelay } from './helpers/relay.js';
import { startSqsPeer, type SqsPeer } from './helpers/sqs.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, report, sendMessage, setRules } from './helpers/forwarding.js';
import { claimedCallback } from './helpers/fixtures.js';
import { parseXmlCallback } from '../src/dispatch/formats.js';
import { createSqsSender, regionOf } from '../src/dispatch/senders/sqs.js';
import { loadConfig } from '../src/config.js';
import type { Status } from '../src/model/vocabulary.js';

describe('SQS forwarding', () => {
  let peer: SqsPeer;
  let running: RunningRelay;

  before(async () => {
    peer = await startSqsPeer();
    running = await startRelay({ ...SILENT_SIMULATOR, ...peer.env() });
  });

  after(async () => {
    await running.stop();
    await peer.close();
  });

  const attributes = (message: { MessageAttributes?: Record<string, { StringValue?: string }> }) =>
    Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));

  it('standard queue: one SQS message per status change, body as rendered, attributes for filtering', async () => {
    const queueUrl = await peer.createQueue('receipts');
    await setRules(running, { ott: { statuses: ['delivered', 'read'], api: { type: 'sqs', queue_url: queueUrl, format: 'json' } } });
    const uuids = [];
    for (let i = 0; i < 3; i++) uuids.push(await sendMessage(running, { channel: 'viber_service' }));
    await Promise.all(uuids.map((uuid) => report(running, uuid, ['submitted', 'delivered'])));

    const bodies = new Map<string, string>();
    for (const uuid of uuids) {
      const [callback] = await callbacksOf(running, uuid, allFinished(1));
      assert.equal(callback.state, 'delivered', callback.last_error);
      bodies.set(uuid, callback.id);
    }
    const received = await peer.drain(queueUrl);
    assert.equal(received.length, 3);
    for (const message of received) {
      const payload = JSON.parse(message.Body!);
      assert.deepEqual(attributes(message), { status: 'delivered', channel: 'viber_service', message_uuid: payload.message_uuid });
      assert.ok(bodies.has(payload.message_uuid));
      assert.equal(message.Attributes?.MessageGroupId, undefined);
    }
  });

  it('FIFO queue: grouped by message, deduplicated by callback id, each message\'s changes in order', async () => {
    const queueUrl = await peer.createQueue('receipts.fifo');
    await setRules(running, { ott: { statuses: ['submitted', 'delivered', 'read'], api: { type: 'sqs', queue_url: queueUrl, format: 'xml' } } });
    const uuids = [await sendMessage(running, { channel: 'whatsapp' }), await sendMessage(running, { channel: 'whatsapp' })];
    // Both messages move together, so their callbacks are due at the same time and interleave.
    for (const status of ['submitted', 'delivered', 'read'] as Status[]) {
      await Promise.all(uuids.map((uuid) => report(running, uuid, [status])));
    }
    const ids = new Map<string, string>();
    for (const uuid of uuids) {
      const callbacks = await callbacksOf(running, uuid, allFinished(3));
      for (const callback of callbacks) {
        assert.equal(callback.state, 'delivered', callback.last_error);
        ids.set(callback.id, uuid);
      }
    }
    const received = await peer.drain(queueUrl);
    assert.equal(received.length, 6);
    for (const uuid of uuids) {
      const mine = received.filter((message) => message.Attributes?.MessageGroupId === uuid);
      assert.deepEqual(mine.map((message) => attributes(message).status), ['submitted', 'delivered', 'read']);
      for (const message of mine) {
        const payload = parseXmlCallback(message.Body!) as Record<string, string>;
        assert.deepEqual([payload.message_uuid, payload.status], [uuid, attributes(message).status]);
        assert.equal(ids.get(message.Attributes!.MessageDeduplicationId!), uuid);
      }
    }
  });

  describe('the sender on its own', () => {
    const noCredentials = async () => undefined;
    const sharedIdentityEnv = () => ({ ...peer.env(), SQS_SHARED_IDENTITY_ACCOUNTS: '*' });
    const sender = () => createSqsSender({ sqs: loadConfig(sharedIdentityEnv()).sqs, connectTimeoutMs: 1_000, responseTimeoutMs: 2_000, credentialsOf: noCredentials });
    const toQueue = (queue_url: string, body?: string) =>
      claimedCallback({ destination: { type: 'sqs', queue_url }, destination_key: `sqs:${queue_url}`, ...(body ? { body } : {}) });

    it('concurrent sends to one queue go out as batches of up to 10; a partial failure is mapped entry by entry', async () => {
      // SQS refuses messages larger than the queue allows: the smallest limit, 1024 bytes.
      const queueUrl = await peer.createQueue('small', { MaximumMessageSize: '1024' });
      const s = sender();
      const before = peer.actions.get('SendMessageBatch') ?? 0;
      const callbacks = Array.from({ length: 12 }, (_, i) => toQueue(queueUrl, i === 4 ? JSON.stringify({ channel: 'sms', pad: 'x'.repeat(2_000) }) : undefined));
      const outcomes = await Promise.all(callbacks.map((callback) => s.send(callback, Date.now())));
      await s.close();

      assert.equal((peer.actions.get('SendMessageBatch') ?? 0) - before, 2, 'two batches: 10 and 2');
      assert.deepEqual(outcomes.map((o) => o.verdict), callbacks.map((_, i) => (i === 4 ? 'failed' : 'delivered')));
      assert.match(outcomes[4]!.error!, /^SQS InvalidParameterValue: .*shorter than 1024 bytes/);
      assert.equal((await peer.drain(queueUrl)).length, 11);
    });

    it('attributes come from the stored headline, not the body; a callback stored without one goes out without `channel`', async () => {
      const queueUrl = await peer.createQueue('headlines');
      const s = sender();
      // The body (fullPayload) says sms.
      const withHeadline = { ...toQueue(queueUrl), headline: { channel: 'rcs', to: '447700900123' } };
      const without = toQueue(queueUrl);
      const outcomes = await Promise.all([s.send(withHeadline, Date.now()), s.send(without, Date.now())]);
      await s.close();
      assert.deepEqual(outcomes.map((o) => o.verdict), ['delivered', 'delivered']);
      const got = (await peer.drain(queueUrl)).map((message) => attributes(message));
      got.sort((a, b) => Number('channel' in b) - Number('channel' in a));
      const uuid = without.message_uuid;
      assert.deepEqual(got, [{ status: 'delivered', channel: 'rcs', message_uuid: uuid }, { status: 'delivered', message_uuid: uuid }]);
    });

    it('a queue that does not exist: failed for every callback of the batch', async () => {
      const s = sender();
      const missing = `${peer.endpoint}/000000000000/missing`;
      const outcomes = await Promise.all([s.send(toQueue(missing), Date.now()), s.send(toQueue(missing), Date.now())]);
      await s.close();
      for (const outcome of outcomes) {
        assert.equal(outcome.verdict, 'failed');
        assert.equal(outcome.statusCode, 400);
        assert.match(outcome.error!, /^SQS QueueDoesNotExist/);
      }
    });

    it('an endpoint nobody listens on: retried', async () => {
      const sqs = loadConfig({ ...sharedIdentityEnv(), SQS_ENDPOINT: 'http://127.0.0.1:1' }).sqs;
      const s = createSqsSender({ sqs, connectTimeoutMs: 500, responseTimeoutMs: 500, credentialsOf: noCredentials });
      const outcome = await s.send(toQueue('http://127.0.0.1:1/000000000000/q'), Date.now());
      await s.close();
      assert.equal(outcome.verdict, 'retry', outcome.error);
    });
  });

  it('the region comes from an AWS queue URL, else from the settings', () => {
    assert.equal(regionOf('https://sqs.eu-central-1.amazonaws.com/123456789012/status'), 'eu-central-1');
    assert.equal(regionOf('https://eu-west-1.queue.amazonaws.com/123456789012/status'), 'eu-west-1');
    assert.equal(regionOf('http://127.0.0.1:4566/000000000000/status'), undefined);
  });
});

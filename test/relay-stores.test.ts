/**
 * The whole relay, end to end, on every store: messages in through the REST API, simulated
 * provider reports, signed callbacks out to a real receiver, history and replay through the API.
 * What each message's receiver gets is known in advance: the simulator's plan for it, run
 * through the state machine (helpers/expected.ts).
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Status } from '../src/model/vocabulary.js';
import { startReceiver, startRelay, testStores, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { expectedStatuses } from './helpers/expected.js';

const CHANNELS = ['sms', 'whatsapp', 'viber_service', 'rcs'] as const;

for (const store of testStores()) {
  test(`${store.kind}: each message's callbacks arrive signed, once each, exactly as planned, and can be replayed`, { skip: store.skip }, async (t) => {
    // Long timeouts and lease: a retry or a second claim would send a callback twice and be
    // counted as a duplicate, so none may happen just because the machine is slow.
    const relay = await startRelay({ CONNECT_TIMEOUT_MS: '10000', RESPONSE_TIMEOUT_MS: '10000', LEASE_MS: '120000' }, { store: store.kind });
    const receiver = await startReceiver({ secret: relay.credentials.signature_secret });
    t.after(async () => {
      await relay.stop();
      await receiver.close();
    });
    assert.equal(relay.relay.store.kind, store.kind);

    const expected = new Map<string, Status[]>();
    for (let i = 0; i < 40; i++) {
      const content = { channel: CHANNELS[i % CHANNELS.length], text: `message ${i}` };
      const response = await relay.api('POST', '/v1/messages', textMessage({ ...content, webhook_url: receiver.url, client_ref: `c-${i}` }));
      assert.equal(response.status, 202, JSON.stringify(response.body));
      expected.set(response.body.message_uuid, expectedStatuses(response.body.message_uuid, content, relay.relay.config.simulator.seed));
    }
    const planned = [...expected.values()].flat().length;
    assert.ok(planned > expected.size, `the plans call for more than one callback a message (${planned})`);

    const receivedFor = (uuid: string) => receiver.received.filter((c) => c.json.message_uuid === uuid).map((c) => c.json.status as Status);
    await waitFor(() => [...expected].every(([uuid, statuses]) => receivedFor(uuid).length >= statuses.length), 30_000, 'every planned callback');
    // Nothing pending or in flight: no callback is still to come.
    await waitFor(async () => (await relay.relay.store.outboxDepth()) === 0, 10_000, 'an empty outbox');

    const byMessage = (statusesOf: (uuid: string) => Status[]) => Object.fromEntries([...expected.keys()].map((uuid) => [uuid, statusesOf(uuid)]));
    assert.deepEqual(byMessage(receivedFor), byMessage((uuid) => expected.get(uuid)!), 'received, in order, per message');
    assert.equal(receiver.received.length, planned);
    assert.equal(new Set(receiver.received.map((c) => c.headers['webhook-id'])).size, planned, 'one webhook-id per callback');
    assert.deepEqual(receiver.received.filter((c) => !c.verified).map((c) => c.verifyError), []);

    // The relay's own record agrees: each planned status forwarded once, delivered at the first attempt.
    for (const [uuid, statuses] of expected) {
      const history = await relay.api('GET', `/v1/messages/${uuid}`);
      assert.deepEqual(history.body.statuses.filter((event: any) => event.forwarded).map((event: any) => event.status), statuses, `history of ${uuid}`);
      const { callbacks } = (await relay.api('GET', `/v1/messages/${uuid}/callbacks`)).body;
      assert.deepEqual(
        callbacks.map((c: any) => [c.status, c.state, c.attempts]),
        statuses.map((status) => [status, 'delivered', 1]),
        `callbacks of ${uuid}`,
      );
    }

    const [first] = expected.keys();
    const last = (await relay.api('GET', `/v1/messages/${first}/callbacks`)).body.callbacks.at(-1);
    const before = receiver.received.length;
    const replay = await relay.api('POST', `/v1/callbacks/${last.id}/replay`);
    assert.equal(replay.status, 202, JSON.stringify(replay.body));
    await waitFor(() => receiver.received.length > before, 5_000, 'the replayed callback');
    const replayed = receiver.received[before];
    assert.equal(replayed.headers['webhook-id'], last.id);
    assert.equal(replayed.json.status, last.status);
    assert.equal(replayed.verified, true, replayed.verifyError);
  });
}

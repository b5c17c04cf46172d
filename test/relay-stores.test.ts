/**
 * The whole relay, end to end, on every store: messages in through the REST API, simulated
 * provider reports, signed callbacks out to a real receiver, history and replay through the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATE_RANK, isSettled } from '../src/model/vocabulary.js';
import { startReceiver, startRelay, testStores, textMessage, waitFor } from './helpers/relay.js';

for (const store of testStores()) {
  test(`${store.kind}: every message's callbacks arrive signed, in status order, and can be replayed`, { skip: store.skip }, async () => {
    const relay = await startRelay({}, { store: store.kind });
    const receiver = await startReceiver({ secret: relay.credentials.signature_secret });
    try {
      assert.equal(relay.relay.store.kind, store.kind);
      const uuids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const response = await relay.api('POST', '/v1/messages', textMessage({ webhook_url: receiver.url, client_ref: `c-${i}` }));
        assert.equal(response.status, 202, JSON.stringify(response.body));
        uuids.push(response.body.message_uuid);
      }
      const settled = (uuid: string) => receiver.received.some((c) => c.json.message_uuid === uuid && isSettled(c.json.status));
      await waitFor(() => uuids.every(settled), 20_000, 'a settled callback for every message');
      await waitFor(async () => (await relay.relay.store.outboxDepth()) === 0, 5_000, 'an empty outbox');

      assert.deepEqual(receiver.received.filter((c) => !c.verified).map((c) => c.verifyError), []);
      for (const uuid of uuids) {
        const ranks = receiver.received.filter((c) => c.json.message_uuid === uuid).map((c) => STATE_RANK[c.json.status as 'submitted']);
        assert.deepEqual(ranks, [...ranks].sort(), `status order of ${uuid}`);
      }

      const history = await relay.api('GET', `/v1/messages/${uuids[0]}/callbacks`);
      assert.equal(history.status, 200);
      const last = history.body.callbacks.at(-1);
      assert.equal(last.state, 'delivered');
      const before = receiver.received.length;
      const replay = await relay.api('POST', `/v1/callbacks/${last.id}/replay`);
      assert.equal(replay.status, 202, JSON.stringify(replay.body));
      await waitFor(() => receiver.received.length > before, 5_000, 'the replayed callback');
      const replayed = receiver.received[before];
      assert.equal(replayed.headers['webhook-id'], last.id);
      assert.equal(replayed.verified, true);
    } finally {
      await relay.stop();
      await receiver.close();
    }
  });
}

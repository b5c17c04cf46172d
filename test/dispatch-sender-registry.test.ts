/**
 * The sender registry on its own, and a dispatcher using it on a real store: a destination type
 * with no sender fails for good, a key its sender does not serve here is left in the outbox.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createSenderRegistry } from '../src/dispatch/sender-registry.js';
import { createDispatcher } from '../src/dispatch/loop.js';
import type { Sender } from '../src/dispatch/sender.js';
import { destinationKey, destinationKeyPrefix, type Destination, type DestinationType } from '../src/model/destination.js';
import { createMetrics } from '../src/ops/metrics.js';
import { openStore } from '../src/store/open.js';
import type { MessageContext, NewCallback, Store, Transition } from '../src/store/store.js';
import { systemClock } from '../src/model/clock.js';
import { DEFAULT_RETRY, TEST_SECRET, storedMessage } from './helpers/fixtures.js';
import { testStores, waitFor } from './helpers/relay.js';

/** One destination of every type. */
const EXAMPLES: { [T in DestinationType]: Extract<Destination, { type: T }> } = {
  url: { type: 'url', url: 'http://127.0.0.1:9/callbacks' },
  email: { type: 'email', address: 'ops@customer.example' },
  sqs: { type: 'sqs', queue_url: 'http://127.0.0.1:9/000000000000/receipts' },
  smpp: { type: 'smpp', system_id: 'here' },
};
const SMPP_THERE: Destination = { type: 'smpp', system_id: 'there' };

/** A sender that delivers everything and notes the keys it was given. */
function recordingSender(servedKeys?: string[]): Sender & { sentTo: string[] } {
  const sentTo: string[] = [];
  return {
    sentTo,
    send: async (callback) => {
      sentTo.push(callback.destination_key);
      return { verdict: 'delivered', durationMs: 0 };
    },
    close: async () => {},
    ...(servedKeys ? { servedKeys: () => new Set(servedKeys) } : {}),
  };
}

test('every destination key starts with the key prefix of its type', () => {
  for (const destination of Object.values(EXAMPLES)) {
    assert.ok(destinationKey(destination).startsWith(destinationKeyPrefix(destination.type)), destination.type);
  }
});

test('senders are found by destination type; a type without one has none', () => {
  const url = recordingSender();
  const registry = createSenderRegistry({ url });
  assert.equal(registry.senderFor('url'), url);
  assert.equal(registry.senderFor('email'), undefined);
});

test('senders that serve every key of their type: every key is served, claims are not restricted', () => {
  const registry = createSenderRegistry({ url: recordingSender(), email: recordingSender() });
  for (const destination of [...Object.values(EXAMPLES), SMPP_THERE]) assert.equal(registry.serves(destinationKey(destination)), true);
  assert.equal(registry.claimRestriction(), undefined);
});

test('a sender with servedKeys serves only those keys of its type; claims leave the others', () => {
  const registry = createSenderRegistry({ url: recordingSender(), smpp: recordingSender(['smpp:here']) });
  assert.equal(registry.serves('smpp:here'), true);
  assert.equal(registry.serves('smpp:there'), false);
  assert.equal(registry.serves(destinationKey(EXAMPLES.url)), true);
  assert.equal(registry.serves(destinationKey(EXAMPLES.sqs)), true, 'no sender at all: taken here, so that dispatch fails it');
  assert.deepEqual(registry.claimRestriction(), { keyPrefixes: ['smpp:'], keys: ['smpp:here'] });
});

test('served keys are asked each time: a session bound later is served from then on', () => {
  const bound = new Set<string>();
  const registry = createSenderRegistry({ smpp: { ...recordingSender(), servedKeys: () => bound } });
  assert.equal(registry.serves('smpp:here'), false);
  bound.add('smpp:here');
  assert.equal(registry.serves('smpp:here'), true);
  assert.deepEqual(registry.claimRestriction()?.keys, ['smpp:here']);
});

/** A sender whose attempts hang until the test opens the gate. */
function gatedSender(): Sender & { waiting: () => number; open: () => void } {
  const gates: Array<() => void> = [];
  let opened = false;
  const delivered = { verdict: 'delivered' as const, durationMs: 0 };
  return {
    waiting: () => gates.length,
    open() {
      opened = true;
      for (const pass of gates.splice(0)) pass();
    },
    send: () => (opened ? Promise.resolve(delivered) : new Promise((resolve) => gates.push(() => resolve(delivered)))),
    close: async () => {},
  };
}

/** Writes one status change of a new message with one callback to each destination, due now. */
async function callbacksTo(
  store: Store,
  accountId: string,
  destinations: Destination[],
  lease?: NewCallback['lease'],
): Promise<{ callbacks: NewCallback[]; transitions: Transition[]; contexts: Map<string, MessageContext> }> {
  const message = storedMessage({ uuid: randomUUID(), account_id: accountId, state: 'accepted', seen: [] });
  await store.insertMessages([message]);
  const now = Date.now();
  const callbacks: NewCallback[] = destinations.map((destination) => ({
    id: randomUUID(),
    account_id: accountId,
    message_uuid: message.uuid,
    event_seq: 1,
    status: 'submitted',
    destination,
    destination_key: destinationKey(destination),
    format: 'json',
    content_type: 'application/json',
    body: '{}',
    headline: { channel: message.channel, to: message.to },
    created_at: now,
    ...(lease ? { lease } : {}),
  }));
  let decidedOn = new Map<string, MessageContext>();
  const transitions = await store.transition([message.uuid], (contexts) => (decidedOn = contexts) && [{
    message: { ...contexts.get(message.uuid)!.message, state: 'submitted', seen: ['submitted'] },
    events: [{ message_uuid: message.uuid, seq: 1, status: 'submitted', occurred_at: now, recorded_at: now, source: 'test', forwarded: true, implied: false }],
    callbacks,
    started: [],
  }]);
  return { callbacks, transitions, contexts: decidedOn };
}

for (const testStore of testStores()) {
  describe(`a dispatcher with its sender registry: ${testStore.kind}`, { skip: testStore.skip }, () => {
    test('no sender for the type: failed for good with the reason; a key not served here: left pending', async () => {
      const store = await openStore(await testStore.databaseUrl());
      const errors: unknown[] = [];
      const url = recordingSender();
      const smpp = recordingSender(['smpp:here']);
      const dispatcher = createDispatcher({
        store,
        senders: { url, smpp },
        config: {
          connectTimeoutMs: 1_000, responseTimeoutMs: 1_000, perDestinationConcurrency: 4, maxInFlight: 16,
          claimBatch: 16, pollMs: 20, leaseMs: 10_000, retry: DEFAULT_RETRY, breaker: { threshold: 0, firstOpenMs: 1_000, maxOpenMs: 1_000 },
        },
        metrics: createMetrics(() => store.outboxDepth()),
        clock: systemClock,
        onError: (error) => errors.push(error),
      });
      try {
        await store.migrate();
        const accountId = randomUUID();
        await store.createAccount({
          id: accountId, name: 'registry', api_key: randomUUID(), api_secret_hash: 'ab'.repeat(32), signature_secret: TEST_SECRET, created_at: Date.now(),
        });
        const { callbacks: [toUrl, toEmail, toHere, toThere] } = await callbacksTo(store, accountId, [EXAMPLES.url, EXAMPLES.email, EXAMPLES.smpp, SMPP_THERE]);
        dispatcher.start();
        const stateOf = async (callback: NewCallback) => (await store.getCallback(callback.id))?.state;
        await waitFor(async () => (await Promise.all([toUrl, toEmail, toHere].map(stateOf))).every((state) => state !== 'pending' && state !== 'inflight'));
        // More claim rounds than the poll interval gives in this time.
        await new Promise((resolve) => setTimeout(resolve, 200));

        assert.equal(await stateOf(toUrl), 'delivered');
        assert.equal(await stateOf(toHere), 'delivered');
        const email = await store.getCallback(toEmail.id);
        assert.deepEqual([email?.state, email?.last_error], ['failed', 'no sender is registered for email destinations']);
        const there = await store.getCallback(toThere.id);
        assert.deepEqual([there?.state, there?.attempts], ['pending', 0]);
        assert.deepEqual(smpp.sentTo, ['smpp:here']);

        // Written already claimed by this process (as a commit does): one to a key served here is
        // sent, one to a key served elsewhere goes back to the outbox unattempted.
        const lease = { token: randomUUID(), until: Date.now() + 10_000 };
        const committed = await callbacksTo(store, accountId, [EXAMPLES.smpp, SMPP_THERE], lease);
        dispatcher.takeCommitted(committed.transitions, committed.contexts, lease.token);
        const [leasedHere, leasedThere] = committed.callbacks;
        await waitFor(async () => (await stateOf(leasedHere)) === 'delivered' && (await stateOf(leasedThere)) === 'pending');
        const returned = await store.getCallback(leasedThere.id);
        assert.deepEqual([returned?.attempts, returned?.due_at !== undefined], [0, true]);
        assert.deepEqual(smpp.sentTo, ['smpp:here', 'smpp:here']);
        assert.deepEqual(errors, []);
      } finally {
        await dispatcher.stop();
        await store.close();
      }
    });

    test('a burst beyond a flowing destination\'s slots waits in the reserve, still claimed; stopping hands it back', async () => {
      const store = await openStore(await testStore.databaseUrl());
      const url = gatedSender();
      const dispatcher = createDispatcher({
        store,
        senders: { url },
        config: {
          // 2 slots for the destination, so a reserve of 4 × 2.
          connectTimeoutMs: 1_000, responseTimeoutMs: 1_000, perDestinationConcurrency: 2, maxInFlight: 16,
          claimBatch: 16, pollMs: 20, leaseMs: 60_000, retry: DEFAULT_RETRY, breaker: { threshold: 0, firstOpenMs: 1_000, maxOpenMs: 1_000 },
        },
        metrics: createMetrics(() => store.outboxDepth()),
        clock: systemClock,
        onError: (error) => assert.fail(String(error)),
      });
      try {
        await store.migrate();
        const accountId = randomUUID();
        await store.createAccount({
          id: accountId, name: 'reserve', api_key: randomUUID(), api_secret_hash: 'ab'.repeat(32), signature_secret: TEST_SECRET, created_at: Date.now(),
        });
        dispatcher.start();
        const commit = async (count: number) => {
          const lease = { token: randomUUID(), until: Date.now() + 60_000 };
          const committed = await Promise.all(Array.from({ length: count }, () => callbacksTo(store, accountId, [EXAMPLES.url], lease)));
          for (const { transitions, contexts } of committed) dispatcher.takeCommitted(transitions, contexts, lease.token);
          return committed.map(({ callbacks: [callback] }) => callback);
        };
        const statesOf = async (callbacks: NewCallback[]) =>
          Promise.all(callbacks.map(async (callback) => {
            const stored = await store.getCallback(callback.id);
            return `${stored?.state}/${stored?.attempts}`;
          }));

        // Not flowing yet (no attempt to it has ended): what finds no slot goes back to the outbox.
        const first = await commit(3);
        assert.equal(url.waiting(), 2);
        await waitFor(async () => (await statesOf(first)).includes('pending/0'), 5_000, 'the third handed back');
        url.open();
        await waitFor(async () => (await statesOf(first)).every((state) => state === 'delivered/1'), 5_000, 'the first three delivered');

        // Flowing now: 2 start, 8 wait in the reserve still claimed, the other 2 go back.
        const gated = gatedSender();
        url.send = gated.send;
        const burst = await commit(12);
        await waitFor(async () => (await statesOf(burst)).filter((state) => state === 'pending/0').length === 2, 5_000, 'two handed back');
        assert.deepEqual((await statesOf(burst)).filter((state) => state === 'inflight/1').length, 10, '2 in flight and 8 in the reserve');
        assert.equal(gated.waiting(), 2, 'only the slots are attempted');

        const stopped = dispatcher.stop();
        gated.open();
        await stopped;
        const after = await statesOf(burst);
        assert.deepEqual([after.filter((state) => state === 'delivered/1').length, after.filter((state) => state === 'pending/0').length], [2, 10]);
      } finally {
        await dispatcher.stop();
        await store.close();
      }
    });
  });
}
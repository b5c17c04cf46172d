/**
 * Group commit of the accept port, on a real store: requests arriving in the same tick are
 * stored in one transaction, each caller resolves only after it, and a request the store
 * refuses (a taken Idempotency-Key, a duplicate id) fails alone while the others are stored.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { openStore } from '../src/store/open.js';
import { createAcceptManyPort, createAcceptPort, type AcceptRequest } from '../src/intake/accept.js';
import { createMetrics } from '../src/ops/metrics.js';
import { IdempotencyKeyTaken, type Store } from '../src/store/store.js';
import type { Message } from '../src/model/types.js';
import { storedAccount } from './helpers/fixtures.js';
import { testStores } from './helpers/relay.js';

const request = (accountId: string, overrides: Partial<AcceptRequest> = {}): AcceptRequest => ({
  account_id: accountId,
  interface: 'api',
  first: { channel: 'sms', message_type: 'text', to: '436641234567', from: 'ACME', text: 'hi' },
  failover: [],
  ...overrides,
});

for (const kind of testStores()) {
  test(`${kind.kind}: requests of one tick share one transaction; a refused one fails alone`, { skip: kind.skip }, async () => {
    const store: Store = await openStore(await kind.databaseUrl());
    await store.migrate();
    const account = storedAccount();
    await store.createAccount(account);
    const transactions: number[] = [];
    const insert = store.insertMessages.bind(store);
    store.insertMessages = (messages, extras) => {
      transactions.push(messages.length);
      return insert(messages, extras);
    };
    const handedOn: Message[] = [];
    const many = createAcceptManyPort({ store, metrics: createMetrics(async () => 0), now: Date.now, newId: randomUUID, onAccepted: (m) => handedOn.push(m) });
    const one = createAcceptPort(many);

    const messages = await Promise.all(Array.from({ length: 50 }, () => one(request(account.id))));
    assert.deepEqual(transactions, [50], 'one transaction for the tick');
    for (const message of messages) assert.ok(await store.getMessage(message.uuid), 'stored before the caller resolved');
    assert.equal(handedOn.length, 50);

    transactions.length = 0;
    const key = { key: 'k-1', request_hash: 'h' };
    const mixed = await Promise.allSettled([
      one(request(account.id, { idempotency: key })),
      one(request(account.id, { idempotency: key })),
      many([request(account.id), request(account.id)]),
      one(request(account.id, { uuid: messages[0]!.uuid })),
    ]);
    assert.deepEqual(mixed.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    assert.ok((mixed[1] as PromiseRejectedResult).reason instanceof IdempotencyKeyTaken);
    assert.equal(transactions[0], 5, 'tried together first');
    for (const outcome of mixed) {
      if (outcome.status === 'fulfilled') for (const message of [outcome.value].flat()) assert.ok(await store.getMessage(message.uuid));
    }
    assert.equal(handedOn.length, 53, 'only stored messages are handed on');
    await store.close();
  });
}

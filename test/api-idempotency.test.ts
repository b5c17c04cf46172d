/**
 * Idempotency-Key on POST /v1/messages, on both stores: a retry with the same key and body gets
 * the first answer and stores nothing new (also when the retries race), another body with the
 * key is a 422, keys are per account, and a key older than 24 hours may be used again.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startRelay, testStores, basicAuth, type RunningRelay } from './helpers/relay.js';
import { SILENT_SIMULATOR } from './helpers/forwarding.js';
import { createAccount } from '../src/intake/accounts.js';
import { storedMessage } from './helpers/fixtures.js';
import { IdempotencyKeyTaken } from '../src/store/store.js';
import type { Message } from '../src/model/types.js';

const SMS = { channel: 'sms', message_type: 'text', to: '436641234567', from: 'ACME', text: 'once only' };

const running: RunningRelay[] = [];
after(async () => {
  for (const relay of running) await relay.stop();
});

function post(relay: RunningRelay, body: unknown, key?: string, auth = relay.auth) {
  return fetch(`${relay.baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
}

const openCount = async (relay: RunningRelay) => (await relay.relay.store.listOpen(100_000)).length;

for (const store of testStores()) {
  test(`${store.kind}: Idempotency-Key on POST /v1/messages`, { skip: store.skip }, async () => {
    const relay = await startRelay(SILENT_SIMULATOR, { store: store.kind });
    running.push(relay);

    const first = await post(relay, SMS, 'order-4711');
    assert.equal(first.status, 202);
    const { message_uuid } = await first.json();
    assert.equal(first.headers.get('idempotent-replayed'), null);

    const retry = await post(relay, SMS, 'order-4711');
    assert.equal(retry.status, 202);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await retry.json(), { message_uuid });
    assert.equal(await openCount(relay), 1, 'the retry stored nothing');

    const other = await post(relay, { ...SMS, text: 'another text' }, 'order-4711');
    assert.equal(other.status, 422);
    assert.equal(other.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal((await other.json()).invalid_parameters[0].name, 'Idempotency-Key');

    for (const bad of ['', 'x'.repeat(256), 'with space']) {
      const answer = await post(relay, SMS, bad);
      assert.equal(answer.status, 422, JSON.stringify(bad));
      assert.equal((await answer.json()).invalid_parameters[0].name, 'Idempotency-Key');
    }

    const racing = await Promise.all(Array.from({ length: 8 }, () => post(relay, SMS, 'race-1')));
    const uuids = await Promise.all(racing.map(async (answer) => (assert.equal(answer.status, 202), (await answer.json()).message_uuid)));
    assert.equal(new Set(uuids).size, 1, 'every racing retry names the one message');
    assert.equal(await openCount(relay), 2);

    const second = await createAccount(relay.relay.store, 'second', Date.now());
    const theirs = await post(relay, SMS, 'order-4711', basicAuth(second));
    assert.equal(theirs.status, 202);
    assert.notEqual((await theirs.json()).message_uuid, message_uuid, 'keys are per account');

    const without = await Promise.all([post(relay, SMS), post(relay, SMS)]);
    assert.notEqual((await without[0].json()).message_uuid, (await without[1].json()).message_uuid, 'no key: two messages');
  });

  test(`${store.kind}: a stored key blocks a second insert until it is 24 hours old, then may be taken again`, { skip: store.skip }, async () => {
    const relay = await startRelay(SILENT_SIMULATOR, { store: store.kind });
    running.push(relay);
    const db = relay.relay.store;
    const account = relay.credentials.account_id;
    const day = 24 * 60 * 60 * 1000;
    const key = (uuid: string, at: number) => ({ keys: [{ account_id: account, key: 'k', request_hash: 'h', message_uuid: uuid, created_at: at }], expired_before: at - day });
    const [a, b, c] = [1, 2, 3].map((n) => storedMessage({ account_id: account, uuid: `aaaaaaaa-bbbb-4ccc-8ddd-00000000000${n}` })) as [Message, Message, Message];
    await db.insertMessages([a], { idempotency: key(a.uuid, 1_000_000) });
    await assert.rejects(db.insertMessages([b], { idempotency: key(b.uuid, 1_000_000 + day - 1) }), IdempotencyKeyTaken);
    assert.equal(await db.getMessage(b.uuid), undefined, 'nothing of the refused insert is stored');
    assert.equal((await db.findIdempotencyKey(account, 'k', 0))?.message_uuid, a.uuid);
    await db.insertMessages([c], { idempotency: key(c.uuid, 1_000_000 + day + 1) });
    assert.equal((await db.findIdempotencyKey(account, 'k', 0))?.message_uuid, c.uuid);
    assert.equal(await db.findIdempotencyKey(account, 'k', 1_000_000 + day + 2), undefined, 'older than notBefore');
  });
}

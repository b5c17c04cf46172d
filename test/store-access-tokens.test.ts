/** Access tokens on every store: created, found by hash while live, listed newest first, revoked once. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openStore } from '../src/store/open.js';
import { testStores } from './helpers/relay.js';

const T0 = 1_700_000_000_000;

for (const kind of testStores()) {
  test(`${kind.kind}: access tokens are found by hash until revoked, only by their account`, { skip: kind.skip }, async (t) => {
    const store = await openStore(await kind.databaseUrl(), { poolSize: 2 });
    t.after(() => store.close());
    await store.migrate();
    const mine = { id: randomUUID(), name: 'a', api_key: 'key-a', api_secret_hash: 'ab'.repeat(32), signature_secret: 'whsec_x', created_at: T0 };
    const other = { ...mine, id: randomUUID(), api_key: 'key-b' };
    await store.createAccount(mine);
    await store.createAccount(other);

    await store.createAccessToken({ id: 't1', account_id: mine.id, token_hash: 'h1', label: 'erp', created_at: T0 });
    await store.createAccessToken({ id: 't2', account_id: mine.id, token_hash: 'h2', created_at: T0 + 1 });
    assert.equal((await store.findAccountByAccessToken('h1'))?.id, mine.id);
    assert.equal(await store.findAccountByAccessToken('nope'), undefined);
    await assert.rejects(store.createAccessToken({ id: 't3', account_id: other.id, token_hash: 'h1', created_at: T0 }), 'hashes are unique');

    assert.deepEqual(
      (await store.listAccessTokens(mine.id)).map((token) => [token.id, token.label, token.revoked_at]),
      [['t2', undefined, undefined], ['t1', 'erp', undefined]],
    );
    assert.equal(await store.revokeAccessToken(other.id, 't1', T0 + 5), false, "another account's token");
    assert.equal(await store.revokeAccessToken(mine.id, 't1', T0 + 5), true);
    assert.equal(await store.revokeAccessToken(mine.id, 't1', T0 + 6), false, 'already revoked');
    assert.equal(await store.findAccountByAccessToken('h1'), undefined);
    assert.equal((await store.findAccountByAccessToken('h2'))?.id, mine.id);
    assert.equal((await store.listAccessTokens(mine.id)).find((token) => token.id === 't1')?.revoked_at, T0 + 5);
  });
}

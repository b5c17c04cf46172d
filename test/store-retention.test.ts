/**
 * The retention loop (store/retention.ts) on both stores, under load: 3,000 finished messages
 * older than RETENTION_DAYS are deleted in batches while new messages keep arriving; the new
 * ones and the finished ones inside the window stay, and the loop stops cleanly.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { openStore } from '../src/store/open.js';
import { startRetention } from '../src/store/retention.js';
import type { PurgeCounts } from '../src/store/store.js';
import { storedAccount, storedMessage } from './helpers/fixtures.js';
import { testStores, waitFor } from './helpers/relay.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 1_800_000_000_000;

for (const kind of testStores()) {
  test(`${kind.kind}: retention deletes old finished history in batches while new messages arrive`, { skip: kind.skip }, async () => {
    const store = await openStore(await kind.databaseUrl());
    await store.migrate();
    const account = storedAccount();
    await store.createAccount(account);
    const finished = (updatedAt: number) => storedMessage({ uuid: randomUUID(), account_id: account.id, state: 'delivered', created_at: updatedAt, updated_at: updatedAt });
    const old = Array.from({ length: 3000 }, (_, i) => finished(NOW - 31 * DAY - i));
    for (let i = 0; i < old.length; i += 500) await store.insertMessages(old.slice(i, i + 500));
    const recent = finished(NOW - 29 * DAY);
    await store.insertMessages([recent]);

    const purged: PurgeCounts[] = [];
    const retention = startRetention(store, { days: 30, batch: 200, intervalMs: 10 }, {
      now: () => NOW,
      onPurged: (counts) => purged.push(counts),
      onError: (error) => assert.fail(error as Error),
    });
    const arriving: string[] = [];
    try {
      await waitFor(async () => {
        // New messages keep arriving while it sweeps.
        const fresh = storedMessage({ uuid: randomUUID(), account_id: account.id, created_at: NOW, updated_at: NOW });
        await store.insertMessages([fresh]);
        arriving.push(fresh.uuid);
        return purged.reduce((sum, counts) => sum + counts.messages, 0) >= old.length;
      }, 30_000, 'every old message purged');
    } finally {
      await retention.stop();
    }
    assert.ok(purged.filter((counts) => counts.messages > 0).length >= 15, 'in batches of at most 200');
    assert.ok(purged.every((counts) => counts.messages <= 200));
    for (const uuid of [old[0]!.uuid, old[1500]!.uuid, old[2999]!.uuid]) assert.equal(await store.getMessage(uuid), undefined);
    assert.ok(await store.getMessage(recent.uuid), 'inside the window: kept');
    for (const uuid of arriving) assert.ok(await store.getMessage(uuid), 'arrived during the sweep: kept');
    await store.close();
  });
}

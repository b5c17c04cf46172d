/**
 * What the e-mail interface needs of each store (migration 5): the account's email_senders,
 * the accounts that registered any, the headline's In-Reply-To on outbox rows, and several
 * messages stored all or nothing. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openStore } from '../src/store/open.js';
import { storedAccount } from './helpers/fixtures.js';
import type { Message } from '../src/model/types.js';
import { testStores } from './helpers/relay.js';

const T0 = 1_700_000_000_000;

const account = () => storedAccount({ name: 'email', created_at: T0 });

const message = (accountId: string, overrides: Partial<Message> = {}): Message => ({
  uuid: randomUUID(),
  account_id: accountId,
  interface: 'email',
  channel: 'sms',
  message_type: 'text',
  to: '436641234567',
  from: 'EMAIL',
  text: 'hello',
  return_to: { type: 'email', address: 'alice@customer.example' },
  receipt_request: ['delivered'],
  receipt_statuses: ['delivered', 'rejected', 'undeliverable'],
  origin_message_id: '<m1@customer.example>',
  state: 'accepted',
  seen: [],
  failover: [],
  created_at: T0,
  updated_at: T0,
  ...overrides,
});

for (const kind of testStores()) {
  test(`${kind.kind}: email_senders, the e-mail interface's messages and In-Reply-To on outbox rows`, { skip: kind.skip }, async () => {
    const store = await openStore(await kind.databaseUrl(), { poolSize: 2 });
    await store.migrate();
    try {
      const a = account();
      const b = account();
      await store.createAccount(a);
      await store.createAccount(b);
      assert.deepEqual(await store.listEmailSenderAccounts(), []);
      await store.updateAccount(a.id, { email_senders: ['ops@example.com', '*@example.org'] });
      await store.updateAccount(b.id, { email_senders: [] });
      assert.deepEqual((await store.getAccount(a.id))!.email_senders, ['ops@example.com', '*@example.org']);
      assert.deepEqual((await store.listEmailSenderAccounts()).map((x) => x.id), [a.id]);
      // Another field's update keeps the list.
      await store.updateAccount(a.id, { status_url: 'https://example.com/s' });
      assert.deepEqual((await store.getAccount(a.id))!.email_senders, ['ops@example.com', '*@example.org']);

      // All or nothing: the second message collides, the first is not kept.
      const stored = message(a.id);
      await store.insertMessages([stored]);
      assert.deepEqual(await store.getMessage(stored.uuid), stored);
      const fresh = message(a.id);
      await assert.rejects(store.insertMessages([fresh, { ...stored }]));
      assert.equal(await store.getMessage(fresh.uuid), undefined);

      // The headline's In-Reply-To survives the outbox.
      const id = randomUUID();
      await store.transition([stored.uuid], (contexts) => [{
        message: { ...contexts.get(stored.uuid)!.message, state: 'delivered', seen: ['delivered'], updated_at: T0 + 1 },
        events: [{ message_uuid: stored.uuid, seq: 1, status: 'delivered', occurred_at: T0 + 1, recorded_at: T0 + 1, source: 'test', forwarded: true, implied: false }],
        callbacks: [{
          id, account_id: a.id, message_uuid: stored.uuid, event_seq: 1, status: 'delivered',
          destination: { type: 'email', address: 'alice@customer.example' }, destination_key: 'email:relay', format: 'json',
          content_type: 'application/json', body: '{}', headline: { channel: 'sms', to: '436641234567', in_reply_to: '<m1@customer.example>' }, created_at: T0 + 1,
        }],
        started: [],
      }]);
      assert.deepEqual((await store.getCallback(id))!.headline, { channel: 'sms', to: '436641234567', in_reply_to: '<m1@customer.example>' });
      const [claimed] = await store.claimDueCallbacks({ now: T0 + 2, limit: 10, leaseMs: 1000, perKey: 10, excludeKeys: [] });
      assert.equal(claimed!.headline?.in_reply_to, '<m1@customer.example>');
    } finally {
      await store.close();
    }
  });
}

/**
 * One table of store behaviours, run against every store (SQLite, and PostgreSQL when
 * TEST_DATABASE_URL is set). Each behaviour gets an empty database of its own, so claims see
 * only the rows the behaviour wrote. Times are a fixed epoch base: nothing waits on a clock.
 */
import './helpers/leak-guard.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/open.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { WAITING_PER_RELEASE } from '../src/store/sqlite/outbox.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { CLAIM, claimParameters } from '../src/store/postgres/outbox.js';
import type { Account, AttemptResult, ClaimedCallback, ClaimOptions, MessageContext, NewCallback, Store } from '../src/store/store.js';
import type { Message, StatusEvent } from '../src/model/types.js';
import type { Destination } from '../src/model/destination.js';
import type { Status } from '../src/model/vocabulary.js';
import { testStores, type TestStore } from './helpers/relay.js';
import { storedAccount, storedMessage } from './helpers/fixtures.js';

const T0 = 1_700_000_000_000;
const KEY_A = 'url:http://127.0.0.1:1';
const KEY_B = 'url:http://127.0.0.1:2';
const STATUSES: Status[] = ['submitted', 'delivered', 'read'];

interface Fixture {
  store: Store;
  url: string;
  account: Account;
}

const account = (overrides: Partial<Account> = {}) => storedAccount({ created_at: T0, ...overrides });

/** A stored WhatsApp message of the account, with a uuid of its own. */
function message(accountId: string, overrides: Partial<Message> = {}): Message {
  return storedMessage({ uuid: randomUUID(), account_id: accountId, channel: 'whatsapp', ...overrides });
}

function event(uuid: string, seq: number, status: Status): StatusEvent {
  return { message_uuid: uuid, seq, status, occurred_at: T0 + seq, recorded_at: T0 + seq, source: 'test', forwarded: true, implied: false };
}

/** A destination with the given key (url:<origin> or smpp:<system_id>). */
function destinationFor(key: string): Destination {
  if (key.startsWith('smpp:')) return { type: 'smpp', system_id: key.slice('smpp:'.length) };
  return { type: 'url', url: `${key.slice('url:'.length)}/callbacks` };
}

function callback(m: Message, seq: number, key: string, createdAt: number): NewCallback {
  return {
    id: randomUUID(),
    account_id: m.account_id,
    message_uuid: m.uuid,
    event_seq: seq,
    status: STATUSES[(seq - 1) % STATUSES.length],
    destination: destinationFor(key),
    destination_key: key,
    format: 'json',
    content_type: 'application/json',
    body: JSON.stringify({ message_uuid: m.uuid, seq }),
    headline: { channel: m.channel, to: m.to },
    created_at: createdAt,
  };
}

/**
 * Stores a message and gives it `count` status events with one callback each to `key`,
 * through transition() as the lifecycle does. Callback n is created (and due) at `at` + n.
 */
async function messageWithCallbacks(fx: Fixture, count: number, key = KEY_A, at = T0) {
  const m = message(fx.account.id);
  await fx.store.insertMessages([m]);
  const seqs = Array.from({ length: count }, (_, i) => i + 1);
  const [written] = await fx.store.transition([m.uuid], (contexts) => {
    const current = contexts.get(m.uuid)!.message;
    const seen = seqs.map((seq) => STATUSES[(seq - 1) % STATUSES.length]);
    return [{
      message: { ...current, state: seen[seen.length - 1], seen, updated_at: T0 + count },
      events: seqs.map((seq) => event(m.uuid, seq, seen[seq - 1])),
      // As the lifecycle plans them: after the first, a lane's callbacks wait for the one before.
      callbacks: seqs.map((seq) => ({ ...callback(m, seq, key, at + seq), blocked: seq > 1 })),
      started: [],
    }];
  });
  return { message: m, callbacks: written.callbacks };
}

/** Due callbacks behind a destination that claims leave out, in the tests of such a backlog. */
const BACKLOG = 3_000;

/** `count` messages with one callback each to `key`, all due at T0 (one transition). */
async function manyDue(fx: Fixture, count: number, key: string): Promise<NewCallback[]> {
  const messages = Array.from({ length: count }, () => message(fx.account.id));
  await fx.store.insertMessages(messages);
  const callbacks = messages.map((m) => ({ ...callback(m, 1, key, T0), blocked: false }));
  await fx.store.transition(messages.map((m) => m.uuid), (contexts) =>
    messages.map((m, i) => ({ message: contexts.get(m.uuid)!.message, events: [], callbacks: [callbacks[i]!], started: [] })));
  return callbacks;
}

function claimAt(fx: Fixture, now: number, overrides: Partial<ClaimOptions> = {}): Promise<ClaimedCallback[]> {
  return fx.store.claimDueCallbacks({ now, limit: 100, leaseMs: 10_000, perKey: 100, excludeKeys: [], ...overrides });
}

function result(claimed: ClaimedCallback, outcome: AttemptResult['attempt']['outcome'], at: number, nextAttemptAt?: number): AttemptResult {
  return {
    callback_id: claimed.id,
    lease_token: claimed.lease_token,
    next_attempt_at: nextAttemptAt,
    attempt: { callback_id: claimed.id, number: claimed.attempts, started_at: at, duration_ms: 5, status_code: outcome === 'delivered' ? 200 : 500, outcome },
  };
}

const ids = (callbacks: Array<{ id: string }>) => callbacks.map((c) => c.id).sort();

/** Runs one statement without parameters on a database, whatever its kind; returns its rows. */
async function rawSql<R>(url: string, statement: string): Promise<R[]> {
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length));
    try {
      const prepared = db.prepare(statement);
      if (prepared.reader) return prepared.all() as R[];
      prepared.run();
      return [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows as R[];
  } finally {
    await client.end();
  }
}

/** The migration ledger of a database, whatever its kind. */
async function ledger(url: string): Promise<number[]> {
  return (await rawSql<{ id: number }>(url, 'SELECT id FROM migrations ORDER BY id')).map((row) => row.id);
}

const behaviours: Array<[string, (fx: Fixture) => Promise<void>]> = [
  ['a duplicate api_key is refused', async (fx) => {
    await assert.rejects(fx.store.createAccount(account({ api_key: fx.account.api_key })));
    assert.equal((await fx.store.findAccountByApiKey(fx.account.api_key))?.id, fx.account.id);
  }],

  ['accounts round-trip, and updateAccount changes only what the patch names', async (fx) => {
    const full = account({ application_id: 'app-1', status_url: 'https://example.com/first', forwarding: { enabled: true, format: 'xml' } });
    await fx.store.createAccount(full);
    assert.deepEqual(await fx.store.getAccount(full.id), full);
    assert.deepEqual(await fx.store.findAccountByApiKey(full.api_key), full);
    assert.equal(await fx.store.getAccount(randomUUID()), undefined);
    await fx.store.updateAccount(fx.account.id, { status_url: 'https://example.com/status', forwarding: { enabled: false } });
    await fx.store.updateAccount(fx.account.id, { forwarding: { enabled: true } });
    const updated = await fx.store.getAccount(fx.account.id);
    assert.equal(updated?.status_url, 'https://example.com/status');
    assert.deepEqual(updated?.forwarding, { enabled: true });
    await fx.store.updateAccount(fx.account.id, { status_url: null });
    assert.equal((await fx.store.getAccount(fx.account.id))?.status_url, undefined);
  }],

  ['migrations started by three connections at once apply once', async (fx) => {
    const others = await Promise.all([1, 2, 3].map(() => openStore(fx.url)));
    try {
      await Promise.all(others.map((store) => store.migrate()));
    } finally {
      await Promise.all(others.map((store) => store.close()));
    }
    const expected = (fx.store.kind === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).map((migration) => migration.id);
    assert.deepEqual(await ledger(fx.url), expected);
  }],

  ['purge deletes finished history older than the cutoff in batches, and keeps what is open or still sending', async (fx) => {
    // Three messages with one callback each, then `read` (terminal on WhatsApp) at T0 + 5.
    const done = await messageWithCallbacks(fx, 1);
    const doneToo = await messageWithCallbacks(fx, 1);
    const sending = await messageWithCallbacks(fx, 1, KEY_B);
    const uuids = [done, doneToo, sending].map((m) => m.message.uuid);
    await fx.store.transition(uuids, (contexts) => uuids.map((uuid) => ({
      message: { ...contexts.get(uuid)!.message, state: 'read', seen: ['submitted', 'read'], updated_at: T0 + 5 },
      events: [event(uuid, 2, 'read')],
      callbacks: [],
      started: [],
    })));
    const claimed = await claimAt(fx, T0 + 10);
    const finished = claimed.filter((c) => c.destination_key === KEY_A);
    await fx.store.recordAttempts(finished.map((c) => result(c, 'delivered', T0 + 20)));
    const open = message(fx.account.id, { created_at: T0, updated_at: T0 });
    await fx.store.insertMessages([open], {
      media: [{ id: 'a'.repeat(32), account_id: fx.account.id, content_type: 'image/png', bytes: Buffer.from([1, 2, 3]), created_at: T0 }],
      idempotency: { keys: [{ account_id: fx.account.id, key: 'k1', request_hash: 'h', message_uuid: open.uuid, created_at: T0 }], expired_before: T0 - 1 },
    });

    const nothingYet = await fx.store.purge({ finishedBefore: T0, keysBefore: T0, limit: 10 });
    assert.deepEqual(nothingYet, { messages: 0, media: 0, parkedReports: 0, idempotencyKeys: 0 }, 'nothing is older than the cutoff');

    const first = await fx.store.purge({ finishedBefore: T0 + 1000, keysBefore: T0 + 1, limit: 1 });
    assert.deepEqual(first, { messages: 1, media: 1, parkedReports: 0, idempotencyKeys: 1 });
    const second = await fx.store.purge({ finishedBefore: T0 + 1000, keysBefore: T0 + 1, limit: 1 });
    assert.equal(second.messages, 1, 'the next batch');
    assert.equal((await fx.store.purge({ finishedBefore: T0 + 1000, keysBefore: T0 + 1, limit: 10 })).messages, 0, 'the one still sending stays');

    for (const gone of [done.message, doneToo.message]) {
      assert.equal(await fx.store.getMessage(gone.uuid), undefined);
      assert.deepEqual(await fx.store.listEvents(gone.uuid), []);
      assert.deepEqual(await fx.store.listCallbacks(gone.uuid), []);
    }
    assert.ok(await fx.store.getMessage(sending.message.uuid), 'a finished message with an unfinished callback is kept');
    assert.equal((await fx.store.listCallbacks(sending.message.uuid)).length, 1);
    assert.ok(await fx.store.getMessage(open.uuid), 'an open message is kept');
    assert.equal(await fx.store.getMedia('a'.repeat(32)), undefined);
    assert.equal(await fx.store.findIdempotencyKey(fx.account.id, 'k1', 0), undefined);
    const attempts = await rawSql<{ n: number | string }>(fx.url, 'SELECT count(*) AS n FROM attempts');
    assert.equal(Number(attempts[0]!.n), 0, 'the deleted callbacks\' attempts are gone');
  }],

  ['messages round-trip; provider refs are found', async (fx) => {
    const m = message(fx.account.id, { client_ref: 'ref-1', expires_at: T0 + 60_000, workflow: { workflow_id: 'w', items_number: '1', items_total: '2' } });
    await fx.store.insertMessages([m]);
    assert.deepEqual(await fx.store.getMessage(m.uuid), m);
    await fx.store.setProviderRef(m.uuid, 'smsc-42');
    assert.deepEqual(await fx.store.findByProviderRef('smsc-42'), { ...m, provider_ref: 'smsc-42' });
    assert.equal(await fx.store.getMessage(randomUUID()), undefined);
  }],

  ['listOpen pages oldest first and leaves terminal messages out', async (fx) => {
    // whatsapp: delivered is still open (a read may follow), read is terminal; sms: delivered is terminal.
    const states: Array<Partial<Message>> = [
      { state: 'accepted' }, { state: 'submitted', channel: 'sms' }, { state: 'delivered', channel: 'sms' },
      { state: 'delivered' }, { state: 'read' }, { state: 'submitted' }, { state: 'rejected' }, { state: 'accepted', channel: 'sms' },
    ];
    const messages = states.map((overrides, i) => message(fx.account.id, { created_at: T0 + Math.floor(i / 2), ...overrides }));
    await fx.store.insertMessages(messages);
    const open = messages.filter((_, i) => [0, 1, 3, 5, 7].includes(i));
    const seen: Message[] = [];
    let after: Message | undefined;
    for (;;) {
      const page = await fx.store.listOpen(2, after);
      seen.push(...page);
      if (page.length < 2) break;
      after = page[page.length - 1];
    }
    // Within one created_at the order is the store's own, but every open message comes exactly once.
    assert.deepEqual(seen.map((m) => m.uuid).sort(), open.map((m) => m.uuid).sort());
    assert.deepEqual(seen.map((m) => m.created_at), open.map((m) => m.created_at));
  }],

  ['listExpired returns messages not yet delivered whose TTL ran out, soonest first', async (fx) => {
    const late = message(fx.account.id, { state: 'submitted', expires_at: T0 + 2_000 });
    const early = message(fx.account.id, { state: 'accepted', expires_at: T0 + 1_000 });
    const future = message(fx.account.id, { state: 'submitted', expires_at: T0 + 9_000 });
    const delivered = message(fx.account.id, { state: 'delivered', expires_at: T0 + 500 });
    const noTtl = message(fx.account.id, { state: 'submitted' });
    await fx.store.insertMessages([late, early, future, delivered, noTtl]);
    assert.deepEqual((await fx.store.listExpired(T0 + 2_000, 10)).map((m) => m.uuid), [early.uuid, late.uuid]);
    assert.deepEqual((await fx.store.listExpired(T0 + 2_000, 1)).map((m) => m.uuid), [early.uuid]);
  }],

  ['transition writes message, events, callbacks and failover items together', async (fx) => {
    const { message: m, callbacks } = await messageWithCallbacks(fx, 2);
    assert.equal((await fx.store.getMessage(m.uuid))?.state, 'delivered');
    assert.deepEqual((await fx.store.listEvents(m.uuid)).map((e) => [e.seq, e.status, e.forwarded, e.implied]), [[1, 'submitted', true, false], [2, 'delivered', true, false]]);
    const stored = await fx.store.listCallbacks(m.uuid);
    // The second waits for the first (its lane is busy): no due time yet.
    assert.deepEqual(stored.map((c) => [c.id, c.state, c.attempts, c.due_at, c.attempts_log.length]), [
      [callbacks[0].id, 'pending', 0, callbacks[0].created_at, 0],
      [callbacks[1].id, 'pending', 0, undefined, 0],
    ]);
    assert.deepEqual(stored[0].destination, callbacks[0].destination);

    const next = message(fx.account.id, { channel: 'sms' });
    await fx.store.transition([m.uuid], (contexts) => [{ message: { ...contexts.get(m.uuid)!.message, state: 'rejected', seen: ['submitted', 'delivered', 'rejected'] }, events: [], callbacks: [], started: [next] }]);
    assert.deepEqual(await fx.store.getMessage(next.uuid), next);
  }],

  ['transition is atomic: if decide throws, nothing is written', async (fx) => {
    const m = message(fx.account.id);
    await fx.store.insertMessages([m]);
    const started = message(fx.account.id);
    await assert.rejects(
      fx.store.transition([m.uuid], (contexts) => {
        assert.ok(contexts.get(m.uuid));
        throw new Error('decide failed');
      }),
      /decide failed/,
    );
    // And a write that fails half-way (a duplicate event) rolls back the parts before it.
    await assert.rejects(fx.store.transition([m.uuid], (contexts) => [{
      message: { ...contexts.get(m.uuid)!.message, state: 'delivered', seen: ['submitted', 'delivered'] },
      events: [event(m.uuid, 1, 'submitted'), event(m.uuid, 1, 'delivered')],
      callbacks: [callback(m, 1, KEY_A, T0)],
      started: [started],
    }]));
    assert.deepEqual(await fx.store.getMessage(m.uuid), m);
    assert.deepEqual(await fx.store.listEvents(m.uuid), []);
    assert.deepEqual(await fx.store.listCallbacks(m.uuid), []);
    assert.equal(await fx.store.getMessage(started.uuid), undefined);
    assert.equal(await fx.store.outboxDepth(), 0);
  }],

  ['concurrent transitions on one message apply one after another', async (fx) => {
    const m = message(fx.account.id);
    await fx.store.insertMessages([m]);
    // Each appends the next event number from what it read: without the row lock two would read
    // the same history and collide on (message_uuid, seq).
    await Promise.all(Array.from({ length: 20 }, () =>
      fx.store.transition([m.uuid], (contexts) => {
        const current = contexts.get(m.uuid)!.message;
        const seq = current.seen.length + 1;
        return [{ message: { ...current, seen: [...current.seen, 'submitted'] }, events: [event(m.uuid, seq, 'submitted')], callbacks: [], started: [] }];
      })));
    assert.deepEqual((await fx.store.listEvents(m.uuid)).map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1));
  }],

  ['a transition sees the account\'s signing settings and the lanes still open', async (fx) => {
    const { message: m } = await messageWithCallbacks(fx, 1, KEY_A);
    let seen: MessageContext | undefined;
    await fx.store.transition([m.uuid, randomUUID()], (contexts) => {
      assert.equal(contexts.size, 1, 'an unknown uuid has no context');
      seen = contexts.get(m.uuid);
      return [];
    });
    assert.deepEqual(seen?.account, {
      id: fx.account.id,
      status_url: undefined,
      forwarding: undefined,
      signing: { signature_secret: fx.account.signature_secret, api_key: fx.account.api_key, application_id: undefined },
    });
    assert.deepEqual(seen?.open_lanes, [KEY_A]);
    const [claimed] = await claimAt(fx, T0 + 100);
    await fx.store.recordAttempts([result(claimed, 'delivered', T0 + 100)]);
    await fx.store.transition([m.uuid], (contexts) => {
      seen = contexts.get(m.uuid);
      return [];
    });
    assert.deepEqual(seen?.open_lanes, []);
  }],

  ['a callback keeps its headline; one stored before the headline columns were filled has none and is still claimed', async (fx) => {
    const older = await messageWithCallbacks(fx, 1, KEY_B);
    // As a row written before migration 3 is: the columns exist, their values do not.
    await rawSql(fx.url, 'UPDATE callbacks SET headline_channel = NULL, headline_to = NULL');
    const { message: m, callbacks } = await messageWithCallbacks(fx, 1, KEY_A);
    const headline = { channel: m.channel, to: m.to };
    assert.deepEqual((await fx.store.getCallback(callbacks[0].id))?.headline, headline);
    assert.equal((await fx.store.getCallback(older.callbacks[0].id))?.headline, undefined);
    const claimed = new Map((await claimAt(fx, T0 + 100)).map((c) => [c.id, c]));
    assert.equal(claimed.size, 2);
    assert.deepEqual(claimed.get(callbacks[0].id)?.headline, headline);
    assert.equal(claimed.get(older.callbacks[0].id)?.headline, undefined);
  }],

  ['a callback handed to dispatch at commit is stored in flight under its lease', async (fx) => {
    const m = message(fx.account.id);
    await fx.store.insertMessages([m]);
    const handed = { ...callback(m, 1, KEY_A, T0), lease: { token: 'local-lease', until: T0 + 10_000 } };
    await fx.store.transition([m.uuid], (contexts) => [{ message: contexts.get(m.uuid)!.message, events: [event(m.uuid, 1, 'submitted')], callbacks: [handed], started: [] }]);
    const stored = await fx.store.getCallback(handed.id);
    assert.deepEqual([stored?.state, stored?.attempts, stored?.due_at], ['inflight', 1, T0 + 10_000]);
    assert.deepEqual(await claimAt(fx, T0 + 100), [], 'nobody else claims it while the lease holds');
    await fx.store.recordAttempts([result({ ...handed, state: 'inflight', attempts: 1, due_at: T0 + 10_000, lease_token: 'local-lease', signing: { signature_secret: '', api_key: '' } }, 'delivered', T0 + 200)]);
    assert.equal((await fx.store.getCallback(handed.id))?.state, 'delivered');
  }],

  ['releaseWaiting frees waiting callbacks whose lane is free, and only those', async (fx) => {
    const m = message(fx.account.id);
    await fx.store.insertMessages([m]);
    const [stray, behind] = [{ ...callback(m, 1, KEY_A, T0), blocked: true }, { ...callback(m, 2, KEY_A, T0), blocked: true }];
    await fx.store.transition([m.uuid], (contexts) => [{ message: contexts.get(m.uuid)!.message, events: [], callbacks: [stray, behind], started: [] }]);
    assert.deepEqual(await claimAt(fx, T0 + 100), []);
    assert.equal(await fx.store.releaseWaiting(T0 + 100), 1);
    assert.deepEqual(ids(await claimAt(fx, T0 + 100)), [stray.id]);
    assert.equal((await fx.store.getCallback(behind.id))?.due_at, undefined);
  }],

  ['releaseWaiting checks a bounded slice per call on SQLite, and a few calls free every stray callback', async (fx) => {
    // Behind a dead destination a million callbacks may wait for their lane: checking them all
    // in one call would hold a SQLite process for most of a second.
    const count = WAITING_PER_RELEASE + 300;
    const messages = Array.from({ length: count }, () => message(fx.account.id));
    await fx.store.insertMessages(messages);
    const strays = messages.map((m) => ({ ...callback(m, 1, KEY_A, T0), blocked: true }));
    await fx.store.transition(messages.map((m) => m.uuid), (contexts) =>
      messages.map((m, i) => ({ message: contexts.get(m.uuid)!.message, events: [], callbacks: [strays[i]!], started: [] })));
    let released = await fx.store.releaseWaiting(T0 + 100);
    if (fx.store.kind === 'sqlite') assert.equal(released, WAITING_PER_RELEASE, 'one slice per call');
    for (let call = 0; call < 3 && released < count; call++) released += await fx.store.releaseWaiting(T0 + 100);
    assert.equal(released, count);
    assert.equal((await claimAt(fx, T0 + 100, { limit: count, perKey: count })).length, count);
  }],

  ['an outcome recorded while a transition adds to the lane never leaves the new callback waiting', async (fx) => {
    // Two nodes: one records the lane's in-flight callback as delivered while the other commits
    // the next status of the same message. Whatever the interleaving, the new one becomes due.
    for (let round = 0; round < 15; round++) {
      const { message: m } = await messageWithCallbacks(fx, 1, KEY_A, T0 + round * 10);
      const [inFlight] = await claimAt(fx, T0 + 10_000);
      const next = callback(m, 2, KEY_A, T0 + 10_000);
      await Promise.all([
        fx.store.recordAttempts([result(inFlight, 'delivered', T0 + 10_000)]),
        fx.store.transition([m.uuid], (contexts) => {
          const context = contexts.get(m.uuid)!;
          return [{ message: context.message, events: [event(m.uuid, 2, 'delivered')], callbacks: [{ ...next, blocked: context.open_lanes.includes(KEY_A) }], started: [] }];
        }),
      ]);
      const stored = await fx.store.getCallback(next.id);
      assert.notEqual(stored?.due_at, undefined, `round ${round}: the next callback was left waiting`);
      const [claimed] = await claimAt(fx, T0 + 20_000);
      await fx.store.recordAttempts([result(claimed, 'delivered', T0 + 20_000)]);
    }
  }],

  ['claim takes a message\'s callbacks to one destination in order, one at a time', async (fx) => {
    const { callbacks } = await messageWithCallbacks(fx, 3);
    const now = T0 + 100;
    const first = await claimAt(fx, now);
    assert.deepEqual(ids(first), [callbacks[0].id]);
    assert.equal(first[0].attempts, 1);
    assert.equal(first[0].state, 'inflight');
    assert.equal(first[0].signing.api_key, fx.account.api_key);
    assert.equal(first[0].signing.signature_secret, fx.account.signature_secret);
    assert.deepEqual(await claimAt(fx, now), [], 'nothing else while the first is in flight');
    // A retry keeps its place: the next one still waits. Each outcome says how many it made due.
    assert.equal(await fx.store.recordAttempts([result(first[0], 'retry', now, now + 50)]), 1, 'the retry');
    assert.deepEqual(await claimAt(fx, now + 10), []);
    const again = await claimAt(fx, now + 50);
    assert.deepEqual(ids(again), [callbacks[0].id]);
    assert.equal(await fx.store.recordAttempts([result(again[0], 'delivered', now + 50)]), 1, 'the next of the lane');
    const second = await claimAt(fx, now + 60);
    assert.deepEqual(ids(second), [callbacks[1].id]);
    assert.equal(await fx.store.recordAttempts([result(second[0], 'failed', now + 60)]), 1, 'the next of the lane');
    const third = await claimAt(fx, now + 70);
    assert.deepEqual(ids(third), [callbacks[2].id], 'a permanent failure does not block the lane');
    assert.equal(await fx.store.recordAttempts([result(third[0], 'delivered', now + 70)]), 0, 'the lane is done');
  }],

  ['another destination of the same message is its own lane', async (fx) => {
    const a = await messageWithCallbacks(fx, 2, KEY_A);
    const b = await messageWithCallbacks(fx, 1, KEY_B);
    assert.deepEqual(ids(await claimAt(fx, T0 + 100)), ids([a.callbacks[0], b.callbacks[0]]));
  }],

  ['callbacks are not claimed before they are due', async (fx) => {
    const { callbacks } = await messageWithCallbacks(fx, 1);
    assert.deepEqual(await claimAt(fx, callbacks[0].created_at - 1), []);
    assert.equal(await fx.store.nextDueAt(), callbacks[0].created_at);
    assert.equal(await fx.store.outboxDepth(), 1);
    assert.deepEqual(ids(await claimAt(fx, callbacks[0].created_at)), ids(callbacks));
  }],

  ['an expired lease is claimed again with a new token and a counted attempt', async (fx) => {
    const { callbacks } = await messageWithCallbacks(fx, 1);
    const first = await claimAt(fx, T0 + 100, { leaseMs: 1_000 });
    assert.deepEqual(ids(first), ids(callbacks));
    assert.equal(await fx.store.nextDueAt(), T0 + 1_100, 'an in-flight row is due when its lease ends');
    assert.deepEqual(await claimAt(fx, T0 + 1_099), []);
    const second = await claimAt(fx, T0 + 1_100, { leaseMs: 1_000 });
    assert.deepEqual(ids(second), ids(callbacks));
    assert.notEqual(second[0].lease_token, first[0].lease_token);
    assert.equal(second[0].attempts, 2);
  }],

  ['an attempt result whose lease was lost is ignored', async (fx) => {
    await messageWithCallbacks(fx, 1);
    const [stale] = await claimAt(fx, T0 + 100, { leaseMs: 1_000 });
    const [current] = await claimAt(fx, T0 + 2_000, { leaseMs: 1_000 });
    await fx.store.recordAttempts([result(stale, 'delivered', T0 + 2_001)]);
    let stored = (await fx.store.listCallbacks(stale.message_uuid))[0];
    assert.equal(stored.state, 'inflight');
    assert.deepEqual(stored.attempts_log, []);
    await fx.store.recordAttempts([result(current, 'delivered', T0 + 2_002)]);
    stored = (await fx.store.listCallbacks(stale.message_uuid))[0];
    assert.equal(stored.state, 'delivered');
    assert.equal(stored.delivered_at, T0 + 2_002 + 5);
    assert.deepEqual(stored.attempts_log.map((a) => [a.number, a.outcome, a.status_code]), [[2, 'delivered', 200]]);
    // The same result twice: the lease is gone after the first.
    await fx.store.recordAttempts([result(current, 'failed', T0 + 2_003)]);
    assert.equal((await fx.store.getCallback(current.id))?.state, 'delivered');
  }],

  ['excluded destinations are not claimed', async (fx) => {
    const a = await messageWithCallbacks(fx, 1, KEY_A);
    const b = await messageWithCallbacks(fx, 1, KEY_B);
    assert.deepEqual(ids(await claimAt(fx, T0 + 100, { excludeKeys: [KEY_A] })), ids(b.callbacks));
    assert.deepEqual(ids(await claimAt(fx, T0 + 100, { excludeKeys: [KEY_B] })), ids(a.callbacks));
  }],

  ['a claim leaving out a destination with a due backlog takes the other destinations\' callbacks', async (fx) => {
    const backlog = await manyDue(fx, BACKLOG, KEY_A);
    const others = await messageWithCallbacks(fx, 1, KEY_B, T0 + 10);
    assert.deepEqual(ids(await claimAt(fx, T0 + 100, { excludeKeys: [KEY_A] })), ids(others.callbacks));
    assert.equal((await claimAt(fx, T0 + 100, { excludeKeys: [] })).length, 100, 'the backlog itself is claimed as usual');
    assert.equal(backlog.length, BACKLOG);
  }],

  ['a restriction leaves keys under its prefixes to other nodes unless listed; other keys are claimed as usual', async (fx) => {
    const url = await messageWithCallbacks(fx, 1, KEY_A);
    const here = await messageWithCallbacks(fx, 1, 'smpp:here');
    const there = await messageWithCallbacks(fx, 1, 'smpp:there');
    const restriction = { keyPrefixes: ['smpp:'], keys: ['smpp:here'] };
    assert.deepEqual(ids(await claimAt(fx, T0 + 100, { restriction })), ids([...url.callbacks, ...here.callbacks]));
    assert.deepEqual(await claimAt(fx, T0 + 100, { restriction }), [], 'smpp:there is not claimed');
    // Keys and prefixes are compared as text, never as patterns.
    assert.deepEqual(await claimAt(fx, T0 + 100, { restriction: { keyPrefixes: ['smpp:'], keys: ['smpp:%', 'smpp:_here', "' OR 1=1 --"] } }), []);
    assert.deepEqual(ids(await claimAt(fx, T0 + 100, { restriction: { keyPrefixes: ['s%', 'smpp_'], keys: [] } })), ids(there.callbacks));
  }],

  ['a claim takes at most perKey per destination and at most limit in all', async (fx) => {
    for (let i = 0; i < 5; i++) {
      await messageWithCallbacks(fx, 1, KEY_A, T0 + i * 10);
      await messageWithCallbacks(fx, 1, KEY_B, T0 + i * 10 + 5);
    }
    const claimed = await claimAt(fx, T0 + 100, { perKey: 2 });
    assert.deepEqual(claimed.map((c) => c.created_at).sort(), [T0 + 1, T0 + 6, T0 + 11, T0 + 16]);
    const limited = await claimAt(fx, T0 + 100, { limit: 3 });
    assert.equal(limited.length, 3);
    const rest = await claimAt(fx, T0 + 100);
    assert.equal(new Set([...claimed, ...limited, ...rest].map((c) => c.id)).size, 10);
  }],

  ['claims running at the same time never take the same callback', async (fx) => {
    await Promise.all(Array.from({ length: 40 }, () => messageWithCallbacks(fx, 1, KEY_A)));
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimAt(fx, T0 + 100, { limit: 10 })));
    const all = claims.flat().map((c) => c.id);
    assert.equal(new Set(all).size, all.length, 'a callback was claimed twice');
    const more = await claimAt(fx, T0 + 100);
    assert.equal(all.length + more.length, 40);
  }],

  ['replay makes a finished callback due again under the same id', async (fx) => {
    const { callbacks } = await messageWithCallbacks(fx, 1);
    const other = account();
    await fx.store.createAccount(other);
    assert.equal(await fx.store.replayCallback(callbacks[0].id, fx.account.id, T0 + 200), false, 'a pending callback is not replayed');
    const [claimed] = await claimAt(fx, T0 + 100);
    await fx.store.recordAttempts([result(claimed, 'delivered', T0 + 100)]);
    assert.equal(await fx.store.replayCallback(callbacks[0].id, other.id, T0 + 200), false, 'another account cannot replay it');
    assert.equal(await fx.store.replayCallback(callbacks[0].id, fx.account.id, T0 + 200), true);
    const replayed = await fx.store.getCallback(callbacks[0].id);
    assert.equal(replayed?.state, 'pending');
    assert.equal(replayed?.due_at, T0 + 200);
    const [again] = await claimAt(fx, T0 + 200);
    assert.equal(again.id, callbacks[0].id);
    assert.equal(again.attempts, 2);
  }],

  ['dead letters since a time are replayed, older ones and other accounts\' are not', async (fx) => {
    const older = await messageWithCallbacks(fx, 1, KEY_A, T0);
    const newer = await messageWithCallbacks(fx, 1, KEY_A, T0 + 1_000);
    const other = account();
    await fx.store.createAccount(other);
    const foreign = await messageWithCallbacks({ ...fx, account: other }, 1, KEY_A, T0 + 1_000);
    const claimed = await claimAt(fx, T0 + 2_000);
    assert.equal(claimed.length, 3);
    await fx.store.recordAttempts(claimed.map((c) => result(c, 'dead', T0 + 2_000)));
    assert.equal(await fx.store.replayDeadLetters(fx.account.id, T0 + 500, T0 + 3_000), 1);
    assert.equal(await fx.store.replayDeadLetters(fx.account.id, T0 + 500, T0 + 3_000), 0, 'replayed ones are pending, not dead');
    assert.equal((await fx.store.getCallback(newer.callbacks[0].id))?.state, 'pending');
    assert.equal((await fx.store.getCallback(newer.callbacks[0].id))?.due_at, T0 + 3_000);
    assert.equal((await fx.store.getCallback(older.callbacks[0].id))?.state, 'dead');
    assert.equal((await fx.store.getCallback(foreign.callbacks[0].id))?.state, 'dead');
    assert.equal(await fx.store.replayDeadLetters(fx.account.id, T0, T0 + 3_000), 1, 'the older one from an earlier line');
  }],
];

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows of table callbacks an EXPLAIN ANALYZE plan read: those its scans passed on and those they filtered out. */
function callbackRowsRead(node: PlanNode): number {
  const own = node['Relation Name'] === 'callbacks' ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + callbackRowsRead(child), 0);
}

async function withFixture(testStore: TestStore, run: (fx: Fixture) => Promise<void>): Promise<void> {
  const url = await testStore.databaseUrl();
  const store = await openStore(url);
  try {
    await store.migrate();
    const owner = account();
    await store.createAccount(owner);
    await run({ store, url, account: owner });
  } finally {
    await store.close();
  }
}

for (const testStore of testStores()) {
  describe(`store conformance: ${testStore.kind}`, () => {
    for (const [name, run] of behaviours) test(name, { skip: testStore.skip }, () => withFixture(testStore, run));

    if (testStore.kind === 'postgres') {
      test('a claim steps over a left-out destination without reading its due rows', { skip: testStore.skip }, async () => {
        await withFixture(testStore, async (fx) => {
          await manyDue(fx, BACKLOG, KEY_A);
          const others = await messageWithCallbacks(fx, 1, KEY_B, T0 + 10);
          const client = new pg.Client({ connectionString: fx.url });
          await client.connect();
          try {
            await client.query('BEGIN');
            const options = { now: T0 + 100, limit: 100, leaseMs: 10_000, perKey: 100, excludeKeys: [KEY_A] };
            const [{ 'QUERY PLAN': [{ Plan: plan }] }] = (await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${CLAIM}`, claimParameters(options, randomUUID()))).rows;
            await client.query('ROLLBACK');
            // A few per destination; reading the backlog would be BACKLOG and more.
            const read = callbackRowsRead(plan);
            assert.ok(read <= 20, `the claim read ${read} rows of callbacks`);
            assert.deepEqual(ids(await claimAt(fx, T0 + 100, options)), ids(others.callbacks));
          } finally {
            await client.end();
          }
        });
      });

      test('a transition that writes callbacks notifies every listening store', { skip: testStore.skip }, async () => {
        await withFixture(testStore, async (fx) => {
          const other = await openStore(fx.url);
          let woken = 0;
          const stop = other.onOutboxChange!(() => woken++);
          try {
            // The listener fires once when its connection is up (it may have missed rows).
            const deadline = Date.now() + 5_000;
            while (woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
            assert.equal(woken, 1, 'listener connected');
            const m = message(fx.account.id);
            await fx.store.insertMessages([m]);
            await fx.store.transition([m.uuid], (contexts) => [{ message: { ...contexts.get(m.uuid)!.message, seen: ['submitted'], state: 'submitted' }, events: [event(m.uuid, 1, 'submitted')], callbacks: [], started: [] }]);
            await new Promise((resolve) => setTimeout(resolve, 200));
            assert.equal(woken, 1, 'no callbacks written, no wake-up');
            await messageWithCallbacks(fx, 2);
            while (woken === 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
            assert.equal(woken, 2);
          } finally {
            stop();
            await other.close();
          }
        });
      });
    }
  });
}

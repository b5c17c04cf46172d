/**
 * Several statusrelay nodes on one PostgreSQL database, as an operator runs them: three
 * `node dist/src/main.js` processes started at the same moment (their migrations race), 3,000
 * messages through the REST API spread over them, one node killed with SIGKILL half-way and
 * started again (its simulated provider resumes the unsettled messages). The receiver checks
 * that every callback the relay recorded arrives, none is made up, repeats carry the same
 * `webhook-id` and body and only follow a lost lease, and each message's statuses arrive in order.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { STATE_RANK, isSettled, type Status } from '../src/model/vocabulary.js';
import { basicAuth, startReceiver, waitFor, type ReceivedCallback } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { POSTGRES_SKIP, freshPostgresUrl } from './helpers/postgres.js';
import { createAccountCli, startServerProcess, type ServerProcess } from './helpers/process.js';

const MESSAGES = 3_000;
const KILL_AFTER = 1_500;
const POST_CONCURRENCY = 24;

/**
 * Fast, but realistic in shape: short timeouts and a 15 s lease (an attempt can take
 * 2 × (1 s + 4 s) with a wait for a connection; a shorter lease lets a second node resend a
 * callback that is still in flight).
 */
function nodeEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SIMULATOR_TIME_SCALE: '0.01',
    DATABASE_POOL_SIZE: '6',
    DESTINATION_CONCURRENCY: '16',
    LEASE_MS: '15000',
    DISPATCH_POLL_MS: '200',
    CONNECT_TIMEOUT_MS: '1000',
    RESPONSE_TIMEOUT_MS: '4000',
    RETRY_BASE_MS: '200',
    RETRY_CAP_MS: '1000',
    RETRY_WINDOW_MS: '600000',
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('three nodes on one database: migrations race, 3,000 messages, one node killed', { skip: POSTGRES_SKIP, timeout: 150_000 }, async () => {
  const databaseUrl = await freshPostgresUrl();
  const nodes: ServerProcess[] = [];
  const receiverClosers: Array<() => Promise<void>> = [];
  try {
    // 1. Three nodes migrate an empty database at the same moment: all come up, each migration runs once.
    nodes.push(...(await Promise.all([1, 2, 3].map(() => startServerProcess(nodeEnv(databaseUrl))))));
    assert.deepEqual((await query<{ id: number }>(databaseUrl, 'SELECT id FROM migrations ORDER BY id')).map((r) => r.id), POSTGRES_MIGRATIONS.map((m) => m.id));

    const credentials = createAccountCli(databaseUrl, 'multinode');
    const receiver = await startReceiver({ secret: credentials.signature_secret });
    receiverClosers.push(receiver.close);
    const auth = basicAuth(credentials);

    // 2. 3,000 messages over the live nodes; node 2 is killed half-way and restarted a second later.
    const accepted: string[] = [];
    let next = 0;
    let killedAt = 0;
    let restarted: Promise<void> | undefined;
    const live = () => nodes.filter((node) => !node.child.killed && node.child.exitCode === null);
    async function post(i: number): Promise<void> {
      const body = JSON.stringify(textMessage({
        channel: i % 3 === 0 ? 'whatsapp' : 'sms',
        ...(i % 3 === 0 ? { from: '447700900001' } : {}),
        webhook_url: receiver.url,
        client_ref: `m-${i}`,
      }));
      for (let attempt = 0; ; attempt++) {
        const candidates = live();
        const node = candidates[(i + attempt) % candidates.length];
        try {
          const response = await fetch(`${node.baseUrl}/v1/messages`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body,
          });
          const answer = await response.json();
          assert.equal(response.status, 202, JSON.stringify(answer));
          accepted.push(answer.message_uuid);
          return;
        } catch (error) {
          // The request hit the node as it was killed: the message may or may not be stored.
          // Sending it again is what a client does; the database tells which ones exist.
          if (attempt > 5 || !(error instanceof TypeError)) throw error;
        }
      }
    }
    const started = Date.now();
    await Promise.all(Array.from({ length: POST_CONCURRENCY }, async () => {
      while (next < MESSAGES) {
        const i = next++;
        if (i === KILL_AFTER) {
          nodes[2].child.kill('SIGKILL');
          killedAt = Date.now();
          restarted = new Promise((resolve) => setTimeout(resolve, 1_000))
            .then(() => startServerProcess(nodeEnv(databaseUrl)))
            .then((node) => void (nodes[2] = node));
        }
        await post(i);
      }
    }));
    const postedMs = Date.now() - started;
    assert.ok(killedAt > 0);
    await restarted;

    // 3. Wait until the relay is done: every stored message settled, nothing left in the outbox,
    //    and every recorded callback seen at the receiver.
    const receivedIds = () => new Set(receiver.received.map((c) => String(c.headers['webhook-id'])));
    let state = { unsettled: -1, open: -1, missing: -1 };
    await waitFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [counts] = await query<{ unsettled: number; open: number }>(databaseUrl, `SELECT
        (SELECT count(*) FROM messages WHERE state IN ('accepted', 'submitted'))::int AS unsettled,
        (SELECT count(*) FROM callbacks WHERE state IN ('pending', 'inflight'))::int AS open`);
      const ids = receivedIds();
      const all = await query<{ id: string }>(databaseUrl, 'SELECT id FROM callbacks');
      state = { ...counts, missing: all.filter((row) => !ids.has(row.id)).length };
      return state.unsettled === 0 && state.open === 0 && state.missing === 0;
    }, 90_000, 'every message settled and every callback received').catch((error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(state)}`);
    });

    // 4. What the receiver saw against what the database recorded.
    const messages = await query<{ uuid: string; state: Status }>(databaseUrl, 'SELECT uuid, state FROM messages');
    const callbacks = await query<{ id: string; message_uuid: string; state: string; attempts: number; body: string }>(
      databaseUrl, 'SELECT id, message_uuid, state, attempts, body FROM callbacks');
    const stored = new Set(messages.map((m) => m.uuid));
    assert.equal(accepted.length, MESSAGES);
    assert.deepEqual(accepted.filter((uuid) => !stored.has(uuid)), [], 'an accepted message is missing');
    assert.deepEqual(callbacks.filter((c) => c.state !== 'delivered').map((c) => [c.id, c.state]), []);

    const byId = new Map(callbacks.map((c) => [c.id, c]));
    const received = new Map<string, ReceivedCallback[]>();
    for (const callback of receiver.received) {
      const id = String(callback.headers['webhook-id']);
      assert.ok(byId.has(id), `a callback the relay never recorded arrived: ${id}`);
      received.set(id, [...(received.get(id) ?? []), callback]);
    }
    assert.deepEqual(receiver.received.filter((c) => !c.verified).map((c) => c.verifyError).slice(0, 3), []);

    // Every copy needs a claim of its own (claims are counted in `attempts`), and every claim
    // but those in flight on the killed node ends in a recorded attempt: a repeat comes from a
    // recorded retry (e.g. a response timeout) or from the lease the killed node lost.
    const recorded = new Map((await query<{ callback_id: string; n: number }>(databaseUrl,
      'SELECT callback_id, count(*)::int AS n FROM attempts GROUP BY callback_id')).map((r) => [r.callback_id, r.n]));
    let unrecorded = 0;
    for (const row of callbacks) {
      const lost = row.attempts - (recorded.get(row.id) ?? 0);
      assert.ok(lost === 0 || lost === 1, `${row.id}: ${row.attempts} claims, ${recorded.get(row.id) ?? 0} recorded attempts`);
      unrecorded += lost;
    }
    const repeated = [...received].filter(([, copies]) => copies.length > 1);
    for (const [id, copies] of repeated) {
      const row = byId.get(id)!;
      assert.ok(copies.every((copy) => copy.body === row.body), `repeat of ${id} with another body`);
      assert.ok(copies.length <= row.attempts, `${id} arrived ${copies.length} times after ${row.attempts} claims`);
    }

    // Order is judged on first arrivals, as a receiver that drops repeated webhook-ids sees them: a
    // copy whose sender gave up (response timeout) may still be read by a busy receiver later.
    const firstCopies = [...received.values()].map((copies) => copies[0]); // Map order = order of first arrival
    for (const m of messages) {
      const statuses = firstCopies.filter((c) => c.json.message_uuid === m.uuid).map((c) => c.json.status as Status);
      assert.ok(statuses.some((status) => isSettled(status)), `${m.uuid} (${m.state}) has no settled callback: ${statuses}`);
      const ranks = statuses.map((status) => STATE_RANK[status]);
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `${m.uuid} statuses out of order: ${statuses}`);
    }
    const elapsed = Date.now() - started;
    console.log(`# multinode: ${messages.length} messages (${messages.length - MESSAGES} extra from retried POSTs), ` +
      `${callbacks.length} callbacks, ${receiver.received.length} received, ${repeated.length} repeated, ` +
      `${unrecorded} claims lost with the killed node; ` +
      `posted in ${postedMs} ms, done in ${elapsed} ms`);
  } finally {
    await Promise.all(nodes.map((node) => {
      node.child.kill('SIGKILL');
      return node.exited;
    }));
    for (const close of receiverClosers) await close();
  }
});

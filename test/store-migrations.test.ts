/**
 * Data migrations on a database that was at the previous migration with real rows in it, on both
 * stores: migration 7 turns saved SMPP rules (`json` / `xml`, both then the standard receipt)
 * into `receipt` and leaves everything else as it was. SQLite migration 18 and PostgreSQL
 * migration 19 keep the outbox depth by triggers. SQLite migration 20 merges two callback indexes.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { migrate as migrateSqlite } from '../src/store/sqlite/database.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { migrate as migratePostgres, openPool } from '../src/store/postgres/database.js';
import { POSTGRES_SKIP, freshPostgresUrl } from './helpers/postgres.js';

const BEFORE = 6;

/** Saved documents before migration 7, and what each must read after it. */
const DOCUMENTS: Array<[string, object, object]> = [
  ['smpp json', { enabled: true, sms: { smpp: { type: 'interface', format: 'json' }, api: { type: 'interface', format: 'json' } } }, { enabled: true, sms: { smpp: { type: 'interface', format: 'receipt' }, api: { type: 'interface', format: 'json' } } }],
  ['smpp xml', { enabled: false, sms: { smpp: { type: 'interface', format: 'xml' } } }, { enabled: false, sms: { smpp: { type: 'interface', format: 'receipt' } } }],
  ['smpp none', { enabled: true, sms: { smpp: { type: 'none' } } }, { enabled: true, sms: { smpp: { type: 'none' } } }],
  ['no smpp rule', { enabled: true, sms: { api: { type: 'interface', format: 'xml' } } }, { enabled: true, sms: { api: { type: 'interface', format: 'xml' } } }],
];

test('SQLite migration 7: saved SMPP rules become `receipt`, nothing else changes', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const migration of SQLITE_MIGRATIONS.filter((m) => m.id <= BEFORE)) {
    db.exec(migration.sql);
    db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, 0)').run(migration.id);
  }
  const insert = db.prepare("INSERT INTO accounts (id, name, api_key, api_secret_hash, signature_secret, forwarding, created_at) VALUES (?, ?, ?, 'h', 's', ?, 0)");
  DOCUMENTS.forEach(([name, before], i) => insert.run(`a${i}`, name, `k${i}`, JSON.stringify(before)));
  insert.run('never-saved', 'defaults', 'k-none', null);

  migrateSqlite(db);
  DOCUMENTS.forEach(([name, , after], i) => {
    const row = db.prepare('SELECT forwarding FROM accounts WHERE id = ?').get(`a${i}`) as { forwarding: string };
    assert.deepEqual(JSON.parse(row.forwarding), after, name);
  });
  assert.equal((db.prepare("SELECT forwarding FROM accounts WHERE id = 'never-saved'").get() as { forwarding: null }).forwarding, null);
  db.close();
});

test('SQLite migration 18: the outbox depth is counted once, then kept in step by triggers', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  for (const migration of SQLITE_MIGRATIONS.filter((m) => m.id < 18)) {
    db.exec(migration.sql);
    db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, 0)').run(migration.id);
  }
  const insert = db.prepare(`INSERT INTO callbacks (id, account_id, message_uuid, event_seq, status, destination, destination_key,
    format, content_type, body, state, created_at) VALUES (?, 'a', ?, 1, 'submitted', '{}', 'k', 'json', 'application/json', '{}', ?, 0)`);
  ['pending', 'inflight', 'delivered', 'dead', 'pending'].forEach((state, i) => insert.run(`c${i}`, `m${i}`, state));

  migrateSqlite(db);
  const depth = () => (db.prepare('SELECT n FROM outbox_depth').get() as { n: number }).n;
  const counted = () => (db.prepare("SELECT count(*) AS n FROM callbacks WHERE state IN ('pending', 'inflight')").get() as { n: number }).n;
  assert.equal(depth(), 3, 'the rows there before');
  insert.run('c5', 'm5', 'pending');
  insert.run('c6', 'm6', 'failed');
  assert.equal(depth(), 4, 'an unfinished insert counts, a finished one does not');
  db.exec("UPDATE callbacks SET state = 'inflight' WHERE id = 'c0'");
  assert.equal(depth(), 4, 'claimed: still unfinished');
  db.exec("UPDATE callbacks SET state = 'delivered' WHERE id IN ('c1', 'c5')");
  db.exec("UPDATE callbacks SET state = 'pending' WHERE id = 'c3'"); // a replayed dead letter
  db.exec("DELETE FROM callbacks WHERE id IN ('c0', 'c2')");
  assert.equal(depth(), counted());
  assert.equal(depth(), 2);
  db.close();
});

test('SQLite migration 20: one lane index over every callback serves the lane and message lookups', () => {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const indexes = (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'callbacks' AND sql IS NOT NULL ORDER BY name").all() as Array<{ name: string; sql: string }>);
  assert.deepEqual(indexes.map((index) => index.name), ['callbacks_dead', 'callbacks_due', 'callbacks_lane', 'callbacks_waiting']);
  assert.doesNotMatch(indexes.find((index) => index.name === 'callbacks_lane')!.sql, /WHERE/, 'not partial: finishing a callback leaves it alone');
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail).join('; ');
  assert.match(plan("SELECT * FROM callbacks WHERE message_uuid = 'm' ORDER BY event_seq"), /USING INDEX callbacks_lane \(message_uuid=\?\)/);
  assert.match(plan("SELECT id FROM callbacks WHERE message_uuid = 'm' AND destination_key = 'k' AND state = 'pending' AND due_at IS NULL ORDER BY event_seq LIMIT 1"),
    /USING INDEX callbacks_lane \(message_uuid=\? AND destination_key=\?\)/);
  db.close();
});

test('PostgreSQL migration 7: saved SMPP rules become `receipt`, nothing else changes', { skip: POSTGRES_SKIP }, async () => {
  const url = await freshPostgresUrl();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE migrations (id integer PRIMARY KEY, applied_at bigint NOT NULL)');
    for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.id <= BEFORE)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO migrations (id, applied_at) VALUES ($1, 0)', [migration.id]);
    }
    for (const [i, [name, before]] of DOCUMENTS.entries()) {
      await client.query("INSERT INTO accounts (id, name, api_key, api_secret_hash, signature_secret, forwarding, created_at) VALUES ($1, $2, $3, 'h', 's', $4, 0)", [`a${i}`, name, `k${i}`, before]);
    }
  } finally {
    await client.end();
  }
  const pool = openPool(url, { size: 1 });
  try {
    await migratePostgres(pool);
    for (const [i, [name, , after]] of DOCUMENTS.entries()) {
      const { rows } = await pool.query('SELECT forwarding FROM accounts WHERE id = $1', [`a${i}`]);
      assert.deepEqual(rows[0].forwarding, after, name);
    }
  } finally {
    await pool.end();
  }
});

test('PostgreSQL migration 19: the outbox depth is counted once, then kept in step by triggers on every connection', { skip: POSTGRES_SKIP }, async () => {
  const url = await freshPostgresUrl();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insert = (id: string, state: string) => client.query(`INSERT INTO callbacks (id, account_id, message_uuid, event_seq, status, destination, destination_key,
    format, content_type, body, state, created_at) VALUES ($1, 'a', $1, 1, 'submitted', '{}', 'k', 'json', 'application/json', '{}', $2, 0)`, [id, state]);
  const pool = openPool(url, { size: 3 });
  try {
    await client.query('CREATE TABLE migrations (id integer PRIMARY KEY, applied_at bigint NOT NULL)');
    for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.id < 19)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO migrations (id, applied_at) VALUES ($1, 0)', [migration.id]);
    }
    for (const [i, state] of ['pending', 'inflight', 'delivered', 'dead', 'pending'].entries()) await insert(`c${i}`, state);

    await migratePostgres(pool);
    const depth = async () => Number((await client.query('SELECT sum(n) AS n FROM outbox_depth')).rows[0].n);
    const counted = async () => Number((await client.query("SELECT count(*) AS n FROM callbacks WHERE state IN ('pending', 'inflight')")).rows[0].n);
    assert.equal(await depth(), 3, 'the rows there before');
    await insert('c5', 'pending');
    await insert('c6', 'failed');
    assert.equal(await depth(), 4, 'an unfinished insert counts, a finished one does not');
    await client.query("UPDATE callbacks SET state = 'inflight' WHERE id = 'c0'");
    assert.equal(await depth(), 4, 'claimed: still unfinished');
    // Other connections add to rows of their own; the sum is what counts.
    await Promise.all([
      pool.query("UPDATE callbacks SET state = 'delivered' WHERE id IN ('c1', 'c5')"),
      pool.query("UPDATE callbacks SET state = 'pending' WHERE id = 'c3'"), // a replayed dead letter
      pool.query("DELETE FROM callbacks WHERE id IN ('c0', 'c2')"),
    ]);
    assert.equal(await depth(), await counted());
    assert.equal(await depth(), 2);
  } finally {
    await pool.end();
    await client.end();
  }
});

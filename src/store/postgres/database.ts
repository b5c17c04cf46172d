import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** The channel a transition NOTIFYs when it wrote outbox rows; every node LISTENs on it. */
export const OUTBOX_CHANNEL = 'statusrelay_outbox';

/** Any fixed number works; it names the lock that serialises migrations across nodes. */
const MIGRATION_LOCK = 4_711_042;

// Epoch milliseconds are bigint columns; they fit a double exactly, so read them as numbers.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Connections this process keeps to the database. */
  size: number;
}

export function openPool(url: string, options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.size,
    types,
    // Compiling a statement (JIT) takes 30 to 50 ms, more than any statement here runs. The
    // planner turns it on when its estimates are large, as for a claim behind a backlog of a
    // million (outbox.ts CLAIM: it cannot estimate the rows taken per destination).
    onConnect: async (client) => {
      await client.query('SET jit = off');
    },
  });
  // An idle connection can die with the server; the next checkout opens a new one.
  pool.on('error', () => {});
  return pool;
}

/** A connection outside the pool, for LISTEN: its session must stay open. */
export function openClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types });
}

/** Runs `work` in one transaction on one pooled connection; rolls back if it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Applies pending migrations. The transaction-scoped advisory lock is taken before anything
 * else, so a second node waits, then finds the ledger complete and applies nothing.
 */
export async function migrate(pool: Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS migrations (id integer PRIMARY KEY, applied_at bigint NOT NULL)');
    const { rows } = await client.query<{ id: number }>('SELECT id FROM migrations');
    const applied = new Set(rows.map((row) => row.id));
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO migrations (id, applied_at) VALUES ($1, $2)', [migration.id, Date.now()]);
    }
  });
}

/**
 * Per-message locks across nodes, as transaction-scoped advisory locks on a 64-bit hash of the
 * message uuid: transitions take them exclusive, attempt outcomes shared. Unlike row locks
 * (SELECT ... FOR UPDATE / FOR SHARE) they write nothing to the table or the WAL, which on
 * this hot path roughly halves the database's work. Taken in key order, so two transactions
 * locking overlapping sets cannot deadlock; a hash collision only serialises two messages.
 * `$1` is the uuids (or, with `messagesOfCallbacks`, the callback ids whose messages to lock).
 */
export function lockMessagesSql(mode: 'exclusive' | 'shared', messagesOfCallbacks = false): string {
  const keys = messagesOfCallbacks
    ? 'SELECT DISTINCT hashtextextended(message_uuid, 0) AS k FROM callbacks WHERE id = ANY($1::text[])'
    : 'SELECT DISTINCT hashtextextended(u, 0) AS k FROM unnest($1::text[]) AS u';
  const lock = mode === 'exclusive' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  return `SELECT count(${lock}(k)) FROM (${keys} ORDER BY k) AS ordered`;
}

/**
 * Rows as column arrays, the shape `unnest($1::text[], $2::bigint[], ...)` takes: a batch
 * of any size is one statement with a fixed number of parameters.
 */
export function columnsOf<R extends Record<string, unknown>>(rows: R[], columns: ReadonlyArray<keyof R>): unknown[][] {
  return columns.map((column) => rows.map((row) => row[column] ?? null));
}

/** `unnest($first::type[], ...)`: the table expression for column arrays from columnsOf(). */
export function unnest(types: readonly string[], first = 1): string {
  return `unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')})`;
}

import { randomUUID } from 'node:crypto';
import type { Pool } from './database.js';
import { columnsOf, inTransaction, lockMessagesSql, unnest } from './database.js';
import type { AttemptResult, ClaimedCallback, ClaimOptions } from '../store.js';
import { attemptFromRow, callbackFromRow, callbackUpdateFor, claimedFromRow, signingFromRow, type Row } from '../rows.js';
import { BATCH_KEY_PATTERN } from '../../model/destination.js';

/** How many destinations one claim visits at most, the earliest due first. */
const DESTINATIONS_PER_CLAIM = 32;

/**
 * Destinations with callbacks pending (and not waiting for their lane) or in flight, each with
 * its earliest due_at: the next attempt or a lease end. A skip scan of index callbacks_due
 * (destination_key, due_at): one index descent per destination however many rows it has, so a
 * destination left out of a claim costs one step, not a walk through its backlog.
 */
const OPEN_DESTINATIONS = `open_destinations AS (
  (SELECT destination_key AS key, due_at FROM callbacks
   WHERE state IN ('pending', 'inflight') AND due_at IS NOT NULL
   ORDER BY destination_key, due_at LIMIT 1)
  UNION ALL
  SELECT next.key, next.due_at FROM open_destinations d CROSS JOIN LATERAL (
    SELECT destination_key AS key, due_at FROM callbacks
    WHERE state IN ('pending', 'inflight') AND due_at IS NOT NULL AND destination_key > d.key
    ORDER BY destination_key, due_at LIMIT 1) next
)`;

/**
 * Claims due callbacks in one statement: pending ones whose time has come and in-flight ones
 * whose lease ran out (their node died). It picks the destinations first, the earliest due
 * first: not those at their concurrency limit in this process ($2), nor those the
 * ClaimRestriction ($8 keys, $9 key prefixes) leaves to other nodes. From each it takes at most
 * `perKey` attempts, the earliest due first; a batched key's callbacks count 1 / its items per
 * attempt each (model/destination.ts itemsPerAttempt, read here from the key by the same
 * pattern), against both `perKey` and the slots to fill ($5). Per-message order needs no check
 * here: a callback whose lane (message + destination) is busy waits with due_at NULL until the
 * one before it finishes (recordAttempts releases it).
 *
 * Across nodes: candidate rows are locked with SKIP LOCKED, so two nodes claiming at once take
 * disjoint sets; a row another node has just claimed fails the re-check of `due_at <= now`
 * (its due_at is now its lease end), so no callback is sent by two nodes at once.
 */
export const CLAIM = `
WITH RECURSIVE ${OPEN_DESTINATIONS}, due_destinations AS (
  SELECT key, coalesce(substring(key from '${BATCH_KEY_PATTERN}')::int, 1) AS items
  FROM open_destinations
  WHERE due_at <= $1 AND NOT (key = ANY($2::text[]))
    AND (key = ANY($8::text[]) OR NOT EXISTS (
      SELECT 1 FROM unnest($9::text[]) AS p(prefix) WHERE starts_with(key, p.prefix)))
  ORDER BY due_at
  LIMIT $3
), candidates AS (
  SELECT c.id, c.due_at, d.items
  FROM due_destinations d CROSS JOIN LATERAL (
    SELECT id, due_at FROM callbacks
    WHERE destination_key = d.key AND state IN ('pending', 'inflight') AND due_at <= $1
    ORDER BY due_at
    LIMIT least($4::int, $5::int) * d.items
    FOR UPDATE SKIP LOCKED) c
), filling AS (
  SELECT id, sum(1.0 / items) OVER (ORDER BY due_at, id) AS filled
  FROM candidates
), chosen AS (
  SELECT id FROM filling WHERE filled <= $5
)
UPDATE callbacks c
SET state = 'inflight', attempts = c.attempts + 1, due_at = $6, lease_token = $7
FROM accounts a
-- An array, so that the chosen rows are looked up by primary key: the planner cannot tell how
-- many rows the LIMIT per destination lets through, guesses a tenth of each destination's rows,
-- and joined chosen to callbacks by scanning the whole table.
WHERE c.id = ANY(ARRAY(SELECT id FROM chosen)) AND a.id = c.account_id
RETURNING c.*, a.signature_secret, a.previous_signature_secret, a.previous_signature_secret_until, a.api_key, a.application_id`;

/** The parameters of CLAIM, in order. */
export function claimParameters(options: ClaimOptions, token: string): unknown[] {
  return [
    options.now,
    options.excludeKeys,
    DESTINATIONS_PER_CLAIM,
    options.perKey,
    options.limit,
    options.now + options.leaseMs,
    token,
    options.restriction?.keys ?? [],
    options.restriction?.keyPrefixes ?? [],
  ];
}

const RESULT_COLUMNS = [
  'id', 'lease_token', 'state', 'due_at', 'last_error', 'delivered_at',
  'number', 'started_at', 'duration_ms', 'status_code', 'error', 'outcome',
] as const;

/**
 * Holds the messages of the reported callbacks against concurrent transitions until the
 * outcomes are written: a transition that adds a callback to a lane either committed before,
 * and its waiting callback is released below, or runs after and sees the lane free.
 */
const LOCK_MESSAGES = lockMessagesSql('shared', true);

/**
 * All outcomes of a batch in one statement. Only rows still holding the reported lease are
 * updated, and only those get an attempt row: an outcome whose lease was lost is ignored.
 * A callback that is finished (not retried) releases the next waiting one of its lane. Returns
 * how many callbacks it made due (released, or retries).
 */
const RECORD = `
WITH results AS (
  SELECT * FROM ${unnest(['text', 'text', 'text', 'bigint', 'text', 'bigint', 'int', 'bigint', 'int', 'int', 'text', 'text'])}
    AS t(${RESULT_COLUMNS.join(', ')})
), finished AS (
  UPDATE callbacks c SET state = r.state, due_at = r.due_at, last_error = r.last_error,
    delivered_at = r.delivered_at, lease_token = NULL
  FROM results r
  WHERE c.id = r.id AND c.lease_token = r.lease_token AND c.state = 'inflight'
  RETURNING c.id, c.message_uuid, c.destination_key, c.state, r.started_at
), next_in_lane AS (
  SELECT DISTINCT ON (w.message_uuid, w.destination_key) w.id, f.started_at
  FROM finished f
  JOIN callbacks w ON w.message_uuid = f.message_uuid AND w.destination_key = f.destination_key
  WHERE f.state <> 'pending' AND w.state = 'pending' AND w.due_at IS NULL
  ORDER BY w.message_uuid, w.destination_key, w.event_seq
), released AS (
  UPDATE callbacks c SET due_at = n.started_at FROM next_in_lane n WHERE c.id = n.id RETURNING c.id
), recorded AS (
  INSERT INTO attempts (callback_id, number, started_at, duration_ms, status_code, error, outcome)
  SELECT r.id, r.number, r.started_at, r.duration_ms, r.status_code, r.error, r.outcome
  FROM results r JOIN finished f ON f.id = r.id
)
SELECT (SELECT count(*) FROM released) + (SELECT count(*) FROM finished WHERE state = 'pending') AS due`;

/** Waiting callbacks whose lane is free after all (a repair; recordAttempts normally releases them). */
const RELEASE_WAITING = `UPDATE callbacks c SET due_at = $1
  WHERE c.state = 'pending' AND c.due_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM callbacks earlier
    WHERE earlier.message_uuid = c.message_uuid AND earlier.destination_key = c.destination_key
      AND earlier.event_seq < c.event_seq AND earlier.state IN ('pending', 'inflight'))`;

const NEXT_DUE = `WITH RECURSIVE ${OPEN_DESTINATIONS} SELECT min(due_at) AS at FROM open_destinations`;

const REPLAY = `UPDATE callbacks SET state = 'pending', due_at = $1, lease_token = NULL
  WHERE id = $2 AND account_id = $3 AND state IN ('delivered', 'failed', 'dead')`;
const REPLAY_DEAD = `UPDATE callbacks SET state = 'pending', due_at = $1, lease_token = NULL
  WHERE account_id = $2 AND state = 'dead' AND created_at >= $3`;

const RETURN_CLAIMS = `UPDATE callbacks SET state = 'pending', attempts = attempts - 1, due_at = $3, lease_token = NULL
  WHERE id = ANY($1::text[]) AND lease_token = $2 AND state = 'inflight'`;

export function outboxQueries(pool: Pool) {
  return {
    async claimDueCallbacks(options: ClaimOptions): Promise<ClaimedCallback[]> {
      const token = randomUUID();
      const { rows } = await pool.query<Row>(CLAIM, claimParameters(options, token));
      return rows.map((row) => claimedFromRow(row, token, signingFromRow(row)));
    },
    async recordAttempts(results: AttemptResult[]): Promise<number> {
      if (results.length === 0) return 0;
      const rows = results.map((result) => ({
        id: result.callback_id,
        lease_token: result.lease_token,
        ...callbackUpdateFor(result),
        ...result.attempt,
      }));
      return inTransaction(pool, async (client) => {
        await client.query(LOCK_MESSAGES, [rows.map((row) => row.id)]);
        const { rows: [counted] } = await client.query<{ due: string }>(RECORD, columnsOf(rows, RESULT_COLUMNS));
        return Number(counted!.due);
      });
    },
    async listCallbacks(uuid: string) {
      const callbacks = (
        await pool.query<Row>('SELECT * FROM callbacks WHERE message_uuid = $1 ORDER BY event_seq, created_at', [uuid])
      ).rows.map(callbackFromRow);
      const attempts = (
        await pool.query<Row>('SELECT * FROM attempts WHERE callback_id = ANY($1::text[]) ORDER BY number', [callbacks.map((c) => c.id)])
      ).rows.map(attemptFromRow);
      return callbacks.map((callback) => ({
        ...callback,
        attempts_log: attempts.filter((attempt) => attempt.callback_id === callback.id),
      }));
    },
    async getCallback(id: string) {
      const row = (await pool.query<Row>('SELECT * FROM callbacks WHERE id = $1', [id])).rows[0];
      return row && callbackFromRow(row);
    },
    replayCallback: async (id: string, accountId: string, now: number) =>
      (await pool.query(REPLAY, [now, id, accountId])).rowCount === 1,
    replayDeadLetters: async (accountId: string, since: number, now: number) =>
      (await pool.query(REPLAY_DEAD, [now, accountId, since])).rowCount ?? 0,
    returnClaims: async (ids: string[], leaseToken: string, now: number) =>
      (await pool.query(RETURN_CLAIMS, [ids, leaseToken, now])).rowCount ?? 0,
    releaseWaiting: async (now: number) => (await pool.query(RELEASE_WAITING, [now])).rowCount ?? 0,
    async outboxDepth(): Promise<number> {
      // Kept by triggers (migration 19): a count of the rows would read a whole backlog.
      const { rows } = await pool.query<{ n: number }>('SELECT sum(n)::bigint AS n FROM outbox_depth');
      return rows[0].n;
    },
    async nextDueAt(): Promise<number | undefined> {
      const { rows } = await pool.query<{ at: number | null }>(NEXT_DUE);
      return rows[0].at ?? undefined;
    },
  };
}

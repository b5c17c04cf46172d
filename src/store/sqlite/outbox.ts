import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';
import type { AttemptResult, ClaimedCallback, ClaimOptions } from '../store.js';
import { attemptFromRow, callbackFromRow, callbackUpdateFor, claimedFromRow, earliestByDestination, signingFromRow, type Row } from '../rows.js';
import { destinationQueries } from './destinations.js';
import { itemsPerAttempt } from '../../model/destination.js';

/** How many destinations one claim visits at most. */
const DESTINATIONS_PER_CLAIM = 32;
/** How many waiting callbacks one releaseWaiting checks at most (a few ms). */
export const WAITING_PER_RELEASE = 500;

export function outboxQueries(db: Db) {
  const destinations = destinationQueries(db);
  // Destinations with due work, except those this process has no room for or may not claim
  // (ClaimRestriction). json_each has a column `key` of its own, hence `d.key`.
  const dueDestinations = db.prepare(`SELECT d.key FROM destinations d
    WHERE d.next_due_at <= @now AND d.key NOT IN (SELECT value FROM json_each(@exclude))
      AND (d.key IN (SELECT value FROM json_each(@restricted_keys)) OR NOT EXISTS (
        SELECT 1 FROM json_each(@restricted_prefixes) p WHERE substr(d.key, 1, length(p.value)) = p.value))
    ORDER BY d.next_due_at LIMIT @count`);
  // Due = pending and its time has come, or in flight with a lease that ran out (its process died).
  const claimForDestination = db.prepare(`UPDATE callbacks
    SET state = 'inflight', attempts = attempts + 1, due_at = @lease_until, lease_token = @token
    WHERE id IN (
      SELECT id FROM callbacks
      WHERE destination_key = @key AND state IN ('pending', 'inflight') AND due_at <= @now
      ORDER BY due_at LIMIT @limit)
    RETURNING *`);
  const signingFor = db.prepare(
    'SELECT id, signature_secret, previous_signature_secret, previous_signature_secret_until, api_key, application_id FROM accounts WHERE id IN (SELECT value FROM json_each(?))',
  );
  const finish = db.prepare(`UPDATE callbacks SET state = @state, due_at = @due_at, last_error = @last_error,
    delivered_at = @delivered_at, lease_token = NULL
    WHERE id = @id AND lease_token = @lease_token AND state = 'inflight'
    RETURNING message_uuid, destination_key, event_seq`);
  // The next callback of a lane becomes due when the one before it is finished.
  const releaseNext = db.prepare(`UPDATE callbacks SET due_at = @now
    WHERE id = (
      SELECT id FROM callbacks
      WHERE message_uuid = @message_uuid AND destination_key = @destination_key AND state = 'pending' AND due_at IS NULL
      ORDER BY event_seq LIMIT 1)
    RETURNING destination_key`);
  // Waiting callbacks are checked one slice at a time, in index order from where the last call
  // stopped: behind a dead destination there may be a million of them, and a check of all at
  // once would hold the process for most of a second.
  const waitingSlice = db.prepare(`SELECT rowid AS row, created_at, NOT EXISTS (
      SELECT 1 FROM callbacks earlier
      WHERE earlier.message_uuid = callbacks.message_uuid AND earlier.destination_key = callbacks.destination_key
        AND earlier.event_seq < callbacks.event_seq AND earlier.state IN ('pending', 'inflight')) AS stuck
    FROM callbacks WHERE state = 'pending' AND due_at IS NULL AND (created_at, rowid) > (@created_at, @row)
    ORDER BY created_at, rowid LIMIT ${WAITING_PER_RELEASE}`);
  const releaseRows = db.prepare(`UPDATE callbacks SET due_at = @now
    WHERE rowid IN (SELECT value FROM json_each(@rows)) AND state = 'pending' AND due_at IS NULL
    RETURNING destination_key`);
  let waitingAfter = { created_at: Number.MIN_SAFE_INTEGER, row: 0 };
  const insertAttempt = db.prepare(`INSERT INTO attempts
    (callback_id, number, started_at, duration_ms, status_code, error, outcome)
    VALUES (@callback_id, @number, @started_at, @duration_ms, @status_code, @error, @outcome)`);
  const byMessage = db.prepare('SELECT * FROM callbacks WHERE message_uuid = ? ORDER BY event_seq, created_at');
  const attemptsOf = db.prepare(
    'SELECT * FROM attempts WHERE callback_id IN (SELECT value FROM json_each(?)) ORDER BY number',
  );
  const byId = db.prepare('SELECT * FROM callbacks WHERE id = ?');
  const replay = db.prepare(`UPDATE callbacks SET state = 'pending', due_at = ?, lease_token = NULL
    WHERE id = ? AND account_id = ? AND state IN ('delivered', 'failed', 'dead') RETURNING destination_key`);
  const replayDead = db.prepare(`UPDATE callbacks SET state = 'pending', due_at = ?, lease_token = NULL
    WHERE account_id = ? AND state = 'dead' AND created_at >= ? RETURNING destination_key`);
  const handBack = db.prepare(`UPDATE callbacks SET state = 'pending', attempts = attempts - 1, due_at = @now, lease_token = NULL
    WHERE id IN (SELECT value FROM json_each(@ids)) AND lease_token = @token AND state = 'inflight' RETURNING destination_key`);
  // Kept by triggers (migration 18): a count of the rows would read a whole backlog.
  const depth = db.prepare('SELECT n FROM outbox_depth');
  const nextDue = db.prepare('SELECT min(next_due_at) AS at FROM destinations');

  /** Marks the given destinations due at `now` (rows just made due again). */
  const dueNow = (rows: Row[], now: number) =>
    destinations.lowerDueAt(new Map(rows.map((row) => [row.destination_key as string, now])));

  const claimTx = db.transaction((options: ClaimOptions): ClaimedCallback[] => {
    const token = randomUUID();
    const keys = dueDestinations.all({
      now: options.now,
      exclude: JSON.stringify(options.excludeKeys),
      restricted_keys: JSON.stringify(options.restriction?.keys ?? []),
      restricted_prefixes: JSON.stringify(options.restriction?.keyPrefixes ?? []),
      count: DESTINATIONS_PER_CLAIM,
    }) as Array<{ key: string }>;
    const rows: Row[] = [];
    // Slots filled so far: a batched key's callbacks fill 1 / its items per attempt each.
    let filled = 0;
    for (const { key } of keys) {
      const items = itemsPerAttempt(key);
      const limit = Math.min(options.perKey * items, Math.floor((options.limit - filled) * items));
      if (limit <= 0) break;
      const claimed = claimForDestination.all({ key, now: options.now, limit, lease_until: options.now + options.leaseMs, token }) as Row[];
      rows.push(...claimed);
      filled += claimed.length / items;
      destinations.refreshDueAt(key);
    }
    if (rows.length === 0) return [];
    const accountIds = [...new Set(rows.map((row) => row.account_id as string))];
    // One Signing per account, shared by its callbacks.
    const signing = new Map((signingFor.all(JSON.stringify(accountIds)) as Row[]).map((row) => [row.id, signingFromRow(row)]));
    return rows.map((row) => claimedFromRow(row, token, signing.get(row.account_id as string)!));
  });

  return {
    claimDueCallbacks: (options: ClaimOptions) => claimTx.immediate(options),
    recordAttempts: db.transaction((results: AttemptResult[]) => {
      const rescheduled: Array<{ destination_key: string; due_at: number | null }> = [];
      for (const result of results) {
        const update = callbackUpdateFor(result);
        const lane = finish.get({ id: result.callback_id, lease_token: result.lease_token, ...update }) as Row | undefined;
        if (!lane) continue; // the lease was lost: another claim owns this callback now
        const { attempt } = result;
        insertAttempt.run({
          callback_id: attempt.callback_id,
          number: attempt.number,
          started_at: attempt.started_at,
          duration_ms: attempt.duration_ms,
          status_code: attempt.status_code ?? null,
          error: attempt.error ?? null,
          outcome: attempt.outcome,
        });
        if (update.state === 'pending') {
          rescheduled.push({ destination_key: lane.destination_key as string, due_at: update.due_at });
        } else {
          const next = releaseNext.get({ message_uuid: lane.message_uuid, destination_key: lane.destination_key, now: attempt.started_at }) as Row | undefined;
          if (next) rescheduled.push({ destination_key: next.destination_key as string, due_at: attempt.started_at });
        }
      }
      destinations.lowerDueAt(earliestByDestination(rescheduled));
      return rescheduled.length;
    }),
    listCallbacks(uuid: string) {
      const callbacks = (byMessage.all(uuid) as Row[]).map(callbackFromRow);
      const attempts = (attemptsOf.all(JSON.stringify(callbacks.map((c) => c.id))) as Row[]).map(attemptFromRow);
      return callbacks.map((callback) => ({
        ...callback,
        attempts_log: attempts.filter((attempt) => attempt.callback_id === callback.id),
      }));
    },
    getCallback(id: string) {
      const row = byId.get(id) as Row | undefined;
      return row && callbackFromRow(row);
    },
    replayCallback: db.transaction((id: string, accountId: string, now: number) => {
      const rows = replay.all(now, id, accountId) as Row[];
      dueNow(rows, now);
      return rows.length === 1;
    }),
    replayDeadLetters: db.transaction((accountId: string, since: number, now: number) => {
      const rows = replayDead.all(now, accountId, since) as Row[];
      dueNow(rows, now);
      return rows.length;
    }),
    releaseWaiting: db.transaction((now: number) => {
      const slice = waitingSlice.all(waitingAfter) as Array<{ row: number; created_at: number; stuck: number }>;
      const last = slice[slice.length - 1];
      // A short slice reached the end: the next call starts from the beginning again.
      waitingAfter = last && slice.length === WAITING_PER_RELEASE ? { created_at: last.created_at, row: last.row } : { created_at: Number.MIN_SAFE_INTEGER, row: 0 };
      const stuck = slice.filter((waiting) => waiting.stuck === 1).map((waiting) => waiting.row);
      if (stuck.length === 0) return 0;
      const rows = releaseRows.all({ now, rows: JSON.stringify(stuck) }) as Row[];
      dueNow(rows, now);
      return rows.length;
    }),
    returnClaims: db.transaction((ids: string[], leaseToken: string, now: number) => {
      const rows = handBack.all({ ids: JSON.stringify(ids), token: leaseToken, now }) as Row[];
      dueNow(rows, now);
      return rows.length;
    }),
    outboxDepth: () => (depth.get() as { n: number }).n,
    nextDueAt: () => ((nextDue.get() as { at: number | null }).at ?? undefined),
  };
}

import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';
import type { AttemptResult, ClaimedCallback, ClaimOptions } from '../store.js';
import { attemptFromRow, callbackFromRow, callbackUpdateFor, type Row } from '../rows.js';

/**
 * Claims due callbacks: pending ones whose time has come and in-flight ones whose lease ran
 * out (their process died). Skips destinations that are at their concurrency limit, takes at
 * most `perKey` per destination, and never a callback while an earlier one of the same
 * message to the same destination is unfinished (per-message order).
 */
const CLAIM = `
WITH candidates AS (
  SELECT c.id, c.destination_key, c.due_at FROM callbacks c
  WHERE c.state IN ('pending', 'inflight') AND c.due_at <= @now
    AND c.destination_key NOT IN (SELECT value FROM json_each(@exclude))
    AND NOT EXISTS (
      SELECT 1 FROM callbacks earlier
      WHERE earlier.message_uuid = c.message_uuid AND earlier.destination_key = c.destination_key
        AND earlier.event_seq < c.event_seq AND earlier.state IN ('pending', 'inflight'))
  ORDER BY c.due_at
  LIMIT @scan
), ranked AS (
  SELECT id, due_at, ROW_NUMBER() OVER (PARTITION BY destination_key ORDER BY due_at) AS lane_rank
  FROM candidates
)
UPDATE callbacks
SET state = 'inflight', attempts = attempts + 1, due_at = @lease_until, lease_token = @token
WHERE id IN (SELECT id FROM ranked WHERE lane_rank <= @per_key ORDER BY due_at LIMIT @limit)
RETURNING *`;

export function outboxQueries(db: Db) {
  const claim = db.prepare(CLAIM);
  const signingFor = db.prepare(
    'SELECT id, signature_secret, api_key, application_id FROM accounts WHERE id IN (SELECT value FROM json_each(?))',
  );
  const finish = db.prepare(`UPDATE callbacks SET state = @state, due_at = @due_at, last_error = @last_error,
    delivered_at = @delivered_at, lease_token = NULL
    WHERE id = @id AND lease_token = @lease_token AND state = 'inflight'`);
  const insertAttempt = db.prepare(`INSERT INTO attempts
    (callback_id, number, started_at, duration_ms, status_code, error, outcome)
    VALUES (@callback_id, @number, @started_at, @duration_ms, @status_code, @error, @outcome)`);
  const byMessage = db.prepare('SELECT * FROM callbacks WHERE message_uuid = ? ORDER BY event_seq, created_at');
  const attemptsOf = db.prepare(
    'SELECT * FROM attempts WHERE callback_id IN (SELECT value FROM json_each(?)) ORDER BY number',
  );
  const byId = db.prepare('SELECT * FROM callbacks WHERE id = ?');
  const replay = db.prepare(`UPDATE callbacks SET state = 'pending', due_at = ?, lease_token = NULL
    WHERE id = ? AND account_id = ? AND state IN ('delivered', 'failed', 'dead')`);
  const replayDead = db.prepare(`UPDATE callbacks SET state = 'pending', due_at = ?, lease_token = NULL
    WHERE account_id = ? AND state = 'dead' AND created_at >= ?`);
  const depth = db.prepare("SELECT count(*) AS n FROM callbacks WHERE state IN ('pending', 'inflight')");
  const nextDue = db.prepare("SELECT min(due_at) AS at FROM callbacks WHERE state IN ('pending', 'inflight')");

  const claimTx = db.transaction((options: ClaimOptions): ClaimedCallback[] => {
    const token = randomUUID();
    const rows = claim.all({
      now: options.now,
      exclude: JSON.stringify(options.excludeKeys),
      scan: options.limit * 4,
      per_key: options.perKey,
      limit: options.limit,
      lease_until: options.now + options.leaseMs,
      token,
    }) as Row[];
    if (rows.length === 0) return [];
    const accountIds = [...new Set(rows.map((row) => row.account_id as string))];
    const signing = new Map((signingFor.all(JSON.stringify(accountIds)) as Row[]).map((row) => [row.id, row]));
    return rows.map((row) => {
      const account = signing.get(row.account_id) as Row;
      return {
        ...callbackFromRow(row),
        lease_token: token,
        signing: {
          signature_secret: account.signature_secret as string,
          api_key: account.api_key as string,
          application_id: (account.application_id as string | null) ?? undefined,
        },
      };
    });
  });

  return {
    claimDueCallbacks: (options: ClaimOptions) => claimTx.immediate(options),
    recordAttempts: db.transaction((results: AttemptResult[]) => {
      for (const result of results) {
        const changed = finish.run({ id: result.callback_id, lease_token: result.lease_token, ...callbackUpdateFor(result) });
        if (changed.changes === 1) {
          insertAttempt.run({ ...result.attempt, status_code: result.attempt.status_code ?? null, error: result.attempt.error ?? null });
        }
      }
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
    replayCallback: (id: string, accountId: string, now: number) => replay.run(now, id, accountId).changes === 1,
    replayDeadLetters: (accountId: string, since: number, now: number) => replayDead.run(now, accountId, since).changes,
    outboxDepth: () => (depth.get() as { n: number }).n,
    nextDueAt: () => ((nextDue.get() as { at: number | null }).at ?? undefined),
  };
}

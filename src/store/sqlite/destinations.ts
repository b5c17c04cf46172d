import type { Db } from './database.js';

/**
 * Keeps `destinations.next_due_at` in step with the outbox. Lowering it is an upsert with
 * min(); after a claim the exact value is read back from the callbacks index.
 */
export function destinationQueries(db: Db) {
  const lower = db.prepare(`INSERT INTO destinations (key, next_due_at) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET next_due_at = min(coalesce(next_due_at, excluded.next_due_at), excluded.next_due_at)`);
  const refresh = db.prepare(`UPDATE destinations SET next_due_at = (
      SELECT min(due_at) FROM callbacks
      WHERE destination_key = @key AND state IN ('pending', 'inflight') AND due_at IS NOT NULL)
    WHERE key = @key`);
  return {
    lowerDueAt(earliest: Map<string, number>): void {
      for (const [key, dueAt] of earliest) lower.run(key, dueAt);
    },
    refreshDueAt(key: string): void {
      refresh.run({ key });
    },
  };
}

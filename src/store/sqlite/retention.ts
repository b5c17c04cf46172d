import type { Db } from './database.js';
import type { PurgeCounts, PurgeCutoffs } from '../store.js';

/** Finished messages whose every callback is finished too, oldest first (index messages_finished). */
const FINISHED = `SELECT uuid FROM messages m WHERE terminal = 1 AND updated_at < ?
  AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.message_uuid = m.uuid AND c.state IN ('pending', 'inflight'))
  ORDER BY updated_at LIMIT ?`;

/** The uuids of a batch, as one JSON parameter. */
const BATCH = 'SELECT value FROM json_each(?)';

export function retentionQueries(db: Db) {
  const finished = db.prepare(FINISHED);
  const deletes = [
    `DELETE FROM attempts WHERE callback_id IN (SELECT id FROM callbacks WHERE message_uuid IN (${BATCH}))`,
    `DELETE FROM callbacks WHERE message_uuid IN (${BATCH})`,
    `DELETE FROM status_events WHERE message_uuid IN (${BATCH})`,
    `DELETE FROM message_parts WHERE message_uuid IN (${BATCH})`,
    `DELETE FROM messages WHERE uuid IN (${BATCH})`,
  ].map((sql) => db.prepare(sql));
  const media = db.prepare('DELETE FROM media WHERE id IN (SELECT id FROM media WHERE created_at < ? LIMIT ?)');
  const parked = db.prepare('DELETE FROM parked_reports WHERE id IN (SELECT id FROM parked_reports WHERE received_at < ? LIMIT ?)');
  const keys = db.prepare('DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ? LIMIT ?)');

  return {
    purge: db.transaction(({ finishedBefore, keysBefore, limit }: PurgeCutoffs): PurgeCounts => {
      const uuids = (finished.all(finishedBefore, limit) as Array<{ uuid: string }>).map((row) => row.uuid);
      if (uuids.length > 0) for (const statement of deletes) statement.run(JSON.stringify(uuids));
      return {
        messages: uuids.length,
        media: media.run(finishedBefore, limit).changes,
        parkedReports: parked.run(finishedBefore, limit).changes,
        idempotencyKeys: keys.run(keysBefore, limit).changes,
      };
    }),
  };
}

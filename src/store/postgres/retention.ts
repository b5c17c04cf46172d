import { inTransaction, type Pool } from './database.js';
import type { PurgeCounts, PurgeCutoffs } from '../store.js';

/** Finished messages whose every callback is finished too, oldest first (index messages_finished). */
const FINISHED = `SELECT uuid FROM messages m WHERE terminal AND updated_at < $1
  AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.message_uuid = m.uuid AND c.state IN ('pending', 'inflight'))
  ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED`;

const DELETES = [
  'DELETE FROM attempts WHERE callback_id IN (SELECT id FROM callbacks WHERE message_uuid = ANY($1::text[]))',
  'DELETE FROM callbacks WHERE message_uuid = ANY($1::text[])',
  'DELETE FROM status_events WHERE message_uuid = ANY($1::text[])',
  'DELETE FROM message_parts WHERE message_uuid = ANY($1::text[])',
  'DELETE FROM messages WHERE uuid = ANY($1::text[])',
];

export function retentionQueries(pool: Pool) {
  return {
    purge: ({ finishedBefore, keysBefore, limit }: PurgeCutoffs): Promise<PurgeCounts> =>
      inTransaction(pool, async (client) => {
        const uuids = (await client.query<{ uuid: string }>(FINISHED, [finishedBefore, limit])).rows.map((row) => row.uuid);
        if (uuids.length > 0) for (const sql of DELETES) await client.query(sql, [uuids]);
        const count = async (sql: string, cutoff: number) => (await client.query(sql, [cutoff, limit])).rowCount ?? 0;
        return {
          messages: uuids.length,
          media: await count('DELETE FROM media WHERE id IN (SELECT id FROM media WHERE created_at < $1 LIMIT $2)', finishedBefore),
          parkedReports: await count('DELETE FROM parked_reports WHERE id IN (SELECT id FROM parked_reports WHERE received_at < $1 LIMIT $2)', finishedBefore),
          idempotencyKeys: await count(
            'DELETE FROM idempotency_keys WHERE (account_id, key) IN (SELECT account_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)',
            keysBefore,
          ),
        };
      }),
  };
}

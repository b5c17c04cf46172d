import type { Pool } from './database.js';
import { inTransaction } from './database.js';
import type { MessagePart, ParkedQuery, ParkedReport } from '../store.js';
import { parkedFromRow, partFromRow, type Row } from '../rows.js';

// COALESCE keeps what an earlier write stored when this one does not know it.
const UPSERT_PART = `INSERT INTO message_parts (message_uuid, part, total, provider_ref, outcome, error_code, error_detail, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (message_uuid, part) DO UPDATE SET
    total = excluded.total,
    provider_ref = COALESCE(excluded.provider_ref, message_parts.provider_ref),
    outcome = COALESCE(excluded.outcome, message_parts.outcome),
    error_code = COALESCE(excluded.error_code, message_parts.error_code),
    error_detail = COALESCE(excluded.error_detail, message_parts.error_detail),
    updated_at = excluded.updated_at`;

/** Message parts and parked provider input (migration 2). */
export function providerPartQueries(pool: Pool) {
  return {
    async saveMessageParts(parts: MessagePart[]): Promise<void> {
      // One statement per part: a batch may name the same part twice (answer, then receipt).
      await inTransaction(pool, async (client) => {
        for (const part of parts) {
          await client.query(UPSERT_PART, [
            part.message_uuid, part.part, part.total, part.provider_ref ?? null, part.outcome ?? null,
            part.error_code ?? null, part.error_detail ?? null, part.updated_at,
          ]);
        }
      });
    },
    async listMessageParts(uuid: string): Promise<MessagePart[]> {
      const { rows } = await pool.query<Row>('SELECT * FROM message_parts WHERE message_uuid = $1 ORDER BY part', [uuid]);
      return rows.map(partFromRow);
    },
    async findMessagePart(providerRef: string): Promise<MessagePart | undefined> {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM message_parts WHERE provider_ref = $1 ORDER BY updated_at DESC LIMIT 1',
        [providerRef],
      );
      return rows[0] && partFromRow(rows[0]);
    },
    async findMessagePartByRefKey(key: string): Promise<MessagePart | undefined> {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM message_parts WHERE lower(ltrim(provider_ref, '0')) = $1 AND provider_ref IS NOT NULL
         ORDER BY updated_at DESC LIMIT 1`,
        [key],
      );
      return rows[0] && partFromRow(rows[0]);
    },
    async parkReport(report: ParkedReport): Promise<void> {
      await pool.query(
        `INSERT INTO parked_reports (id, source, reason, provider_ref, payload, received_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [report.id, report.source, report.reason, report.provider_ref ?? null, report.payload, report.received_at],
      );
    },
    async takeParkedReports(query: ParkedQuery, now: number): Promise<ParkedReport[]> {
      // SKIP LOCKED: a report another node is taking right now is that node's.
      const { rows } = await pool.query<Row>(
        `UPDATE parked_reports SET applied_at = $1 WHERE id IN (
           SELECT id FROM parked_reports
           WHERE applied_at IS NULL AND source = $2 AND reason LIKE 'unknown-id:%'
             AND (provider_ref = ANY($3::text[]) OR lower(ltrim(provider_ref, '0')) = ANY($4::text[]))
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [now, query.source, query.refs, query.refKeys],
      );
      return rows.map(parkedFromRow).sort((a, b) => a.received_at - b.received_at || a.id.localeCompare(b.id));
    },
    async listParkedReports(limit: number): Promise<ParkedReport[]> {
      const { rows } = await pool.query<Row>('SELECT * FROM parked_reports ORDER BY received_at DESC LIMIT $1', [limit]);
      return rows.map(parkedFromRow);
    },
  };
}

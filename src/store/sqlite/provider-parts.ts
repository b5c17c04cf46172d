import type { Db } from './database.js';
import type { MessagePart, ParkedQuery, ParkedReport } from '../store.js';
import { parkedFromRow, partFromRow, type Row } from '../rows.js';

/** Message parts and parked provider input (migration 2). */
export function providerPartQueries(db: Db) {
  // COALESCE keeps what an earlier write stored when this one does not know it.
  const upsert = db.prepare(`INSERT INTO message_parts (message_uuid, part, total, provider_ref, outcome, error_code, error_detail, updated_at)
    VALUES (@message_uuid, @part, @total, @provider_ref, @outcome, @error_code, @error_detail, @updated_at)
    ON CONFLICT (message_uuid, part) DO UPDATE SET
      total = excluded.total,
      provider_ref = COALESCE(excluded.provider_ref, provider_ref),
      outcome = COALESCE(excluded.outcome, outcome),
      error_code = COALESCE(excluded.error_code, error_code),
      error_detail = COALESCE(excluded.error_detail, error_detail),
      updated_at = excluded.updated_at`);
  const parts = db.prepare('SELECT * FROM message_parts WHERE message_uuid = ? ORDER BY part');
  const byRef = db.prepare('SELECT * FROM message_parts WHERE provider_ref = ? ORDER BY updated_at DESC LIMIT 1');
  const byRefKey = db.prepare(`SELECT * FROM message_parts WHERE lower(ltrim(provider_ref, '0')) = ? AND provider_ref IS NOT NULL
    ORDER BY updated_at DESC LIMIT 1`);
  const park = db.prepare(`INSERT INTO parked_reports (id, source, reason, provider_ref, payload, received_at)
    VALUES (@id, @source, @reason, @provider_ref, @payload, @received_at)`);
  const parked = db.prepare('SELECT * FROM parked_reports ORDER BY received_at DESC LIMIT ?');
  const parkedFor = db.prepare(`SELECT * FROM parked_reports
    WHERE applied_at IS NULL AND source = @source AND reason LIKE 'unknown-id:%'
      AND (provider_ref IN (SELECT value FROM json_each(@refs)) OR lower(ltrim(provider_ref, '0')) IN (SELECT value FROM json_each(@keys)))
    ORDER BY received_at, id`);
  const markApplied = db.prepare('UPDATE parked_reports SET applied_at = ? WHERE id = ?');

  return {
    saveMessageParts: db.transaction((list: MessagePart[]) => {
      for (const part of list) {
        const { provider_ref, outcome, error_code, error_detail } = part;
        upsert.run({
          ...part,
          provider_ref: provider_ref ?? null,
          outcome: outcome ?? null,
          error_code: error_code ?? null,
          error_detail: error_detail ?? null,
        });
      }
    }),
    listMessageParts: (uuid: string) => (parts.all(uuid) as Row[]).map(partFromRow),
    findMessagePart(providerRef: string): MessagePart | undefined {
      const row = byRef.get(providerRef) as Row | undefined;
      return row && partFromRow(row);
    },
    findMessagePartByRefKey(key: string): MessagePart | undefined {
      const row = byRefKey.get(key) as Row | undefined;
      return row && partFromRow(row);
    },
    parkReport(report: ParkedReport): void {
      park.run({ ...report, provider_ref: report.provider_ref ?? null });
    },
    listParkedReports: (limit: number) => (parked.all(limit) as Row[]).map(parkedFromRow),
    takeParkedReports: db.transaction((query: ParkedQuery, now: number): ParkedReport[] => {
      const rows = parkedFor.all({ source: query.source, refs: JSON.stringify(query.refs), keys: JSON.stringify(query.refKeys) }) as Row[];
      for (const row of rows) markApplied.run(now, row.id);
      return rows.map((row) => parkedFromRow({ ...row, applied_at: now }));
    }),
  };
}

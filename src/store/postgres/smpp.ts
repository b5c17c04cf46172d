import type { Pool } from './database.js';
import type { SmppCredential } from '../smpp.js';
import type { Row } from '../rows.js';
import { smppCredentialFromRow } from '../sqlite/smpp.js';

const UPSERT = `INSERT INTO smpp_credentials
  (account_id, system_id, password_hash, max_sessions, submit_rate, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (account_id) DO UPDATE SET system_id = excluded.system_id, password_hash = excluded.password_hash,
    max_sessions = excluded.max_sessions, submit_rate = excluded.submit_rate, updated_at = excluded.updated_at`;

export function smppQueries(pool: Pool) {
  const one = async (sql: string, value: string) => smppCredentialFromRow((await pool.query<Row>(sql, [value])).rows[0]);
  return {
    async saveSmppCredential(c: SmppCredential): Promise<void> {
      await pool.query(UPSERT, [c.account_id, c.system_id, c.password_hash, c.max_sessions, c.submit_rate, c.created_at, c.updated_at]);
    },
    findSmppCredential: (systemId: string) => one('SELECT * FROM smpp_credentials WHERE system_id = $1', systemId),
    getSmppCredentialOfAccount: (accountId: string) => one('SELECT * FROM smpp_credentials WHERE account_id = $1', accountId),
    async hurryDestination(key: string, now: number): Promise<number> {
      const result = await pool.query(
        `UPDATE callbacks SET due_at = $2 WHERE destination_key = $1 AND state = 'pending' AND due_at > $2`,
        [key, now],
      );
      return result.rowCount ?? 0;
    },
  };
}

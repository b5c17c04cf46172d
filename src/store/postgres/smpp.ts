import { inTransaction, type Pool } from './database.js';
import type { SmppCredential, SmppSessionLease } from '../smpp.js';
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
    claimSmppSession: (lease: SmppSessionLease, max: number, now: number): Promise<boolean> =>
      inTransaction(pool, async (client) => {
        // One bind at a time per account across nodes: the count and the insert are one step.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 15))', [lease.account_id]);
        await client.query('DELETE FROM smpp_sessions WHERE account_id = $1 AND expires_at <= $2', [lease.account_id, now]);
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM smpp_sessions WHERE account_id = $1', [lease.account_id]);
        if (Number(rows[0]!.n) >= max) return false;
        await client.query('INSERT INTO smpp_sessions (id, account_id, system_id, expires_at) VALUES ($1, $2, $3, $4)', [lease.id, lease.account_id, lease.system_id, lease.expires_at]);
        return true;
      }),
    async renewSmppSessions(ids: string[], expiresAt: number): Promise<void> {
      if (ids.length > 0) await pool.query('UPDATE smpp_sessions SET expires_at = $1 WHERE id = ANY($2::text[])', [expiresAt, ids]);
    },
    async releaseSmppSession(id: string): Promise<void> {
      await pool.query('DELETE FROM smpp_sessions WHERE id = $1', [id]);
    },
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

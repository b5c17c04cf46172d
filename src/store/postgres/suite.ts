import type { Pool } from './database.js';
import { inTransaction } from './database.js';
import type { SuiteSession, SuiteUser } from '../store.js';
import { callbackFromRow, messageFromRow, type Row } from '../rows.js';
import { messageListSql, statsFromRows, statsSql, statusTimeFromRow, suiteSessionFromRow, suiteUserFromRow, type MessageFilter, type SqlDialect } from '../suite.js';

const POSTGRES: SqlDialect = { jsonField: (name) => `(data->>'${name}')`, param: (index) => `$${index + 1}` };

export function suiteQueries(pool: Pool) {
  return {
    async createSuiteUser(user: SuiteUser): Promise<void> {
      await pool.query(
        `INSERT INTO suite_users (id, account_id, email, password_hash, must_change_password, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [user.id, user.account_id, user.email, user.password_hash, user.must_change_password, user.created_at, user.updated_at],
      );
    },
    async findSuiteUserByEmail(email: string): Promise<SuiteUser | undefined> {
      const row = (await pool.query<Row>('SELECT * FROM suite_users WHERE email = $1', [email])).rows[0];
      return row && suiteUserFromRow(row);
    },
    async setSuiteUserPassword(userId: string, hash: string, mustChange: boolean, now: number, keepSession?: string): Promise<void> {
      await inTransaction(pool, async (client) => {
        await client.query('UPDATE suite_users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4', [hash, mustChange, now, userId]);
        await client.query('DELETE FROM suite_sessions WHERE user_id = $1 AND token_hash != $2', [userId, keepSession ?? '']);
      });
    },
    async createSuiteSession(session: SuiteSession): Promise<void> {
      await pool.query('INSERT INTO suite_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        session.token_hash,
        session.user_id,
        session.csrf_token,
        session.created_at,
        session.expires_at,
      ]);
    },
    async findSuiteSession(tokenHash: string, now: number) {
      const row = (
        await pool.query<Row>(
          `SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at AS session_created_at, s.expires_at, u.*
           FROM suite_sessions s JOIN suite_users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`,
          [tokenHash, now],
        )
      ).rows[0];
      if (!row) return undefined;
      return { session: suiteSessionFromRow({ ...row, created_at: row.session_created_at }), user: suiteUserFromRow(row) };
    },
    async deleteSuiteSession(tokenHash: string): Promise<void> {
      await pool.query('DELETE FROM suite_sessions WHERE token_hash = $1', [tokenHash]);
    },
    async listAccountMessages(accountId: string, filter: MessageFilter, limit: number) {
      const { sql, params } = messageListSql(POSTGRES, accountId, filter, limit);
      return (await pool.query<Row>(sql, params)).rows.map(messageFromRow);
    },
    async listAccountMessagesByUuid(accountId: string, uuids: string[]) {
      const result = await pool.query<Row>('SELECT * FROM messages WHERE uuid = ANY($1::text[]) AND account_id = $2', [uuids, accountId]);
      return result.rows.map(messageFromRow);
    },
    async listStatusTimes(uuids: string[]) {
      const result = await pool.query<Row>(
        'SELECT message_uuid, status, max(occurred_at) AS occurred_at FROM status_events WHERE message_uuid = ANY($1::text[]) GROUP BY message_uuid, status',
        [uuids],
      );
      return result.rows.map(statusTimeFromRow);
    },
    async accountStats(accountId: string, since: number) {
      const entries = await Promise.all(Object.entries(statsSql(POSTGRES)).map(async ([key, sql]) => [key, (await pool.query<Row>(sql, [accountId, since])).rows] as const));
      return statsFromRows(Object.fromEntries(entries) as Parameters<typeof statsFromRows>[0]);
    },
    async listDeadLetters(accountId: string, limit: number) {
      const result = await pool.query<Row>("SELECT * FROM callbacks WHERE account_id = $1 AND state = 'dead' ORDER BY created_at DESC LIMIT $2", [accountId, limit]);
      return result.rows.map(callbackFromRow);
    },
  };
}

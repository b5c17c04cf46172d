import type { Db } from './database.js';
import type { SuiteSession, SuiteUser } from '../store.js';
import { callbackFromRow, messageFromRow, type Row } from '../rows.js';
import { messageListSql, statsFromRows, statsSql, statusTimeFromRow, suiteSessionFromRow, suiteUserFromRow, type MessageFilter, type SqlDialect } from '../suite.js';

const SQLITE: SqlDialect = { jsonField: (name) => `json_extract(data, '$.${name}')`, param: () => '?' };

export function suiteQueries(db: Db) {
  const insertUser = db.prepare(`INSERT INTO suite_users (id, account_id, email, password_hash, must_change_password, created_at, updated_at)
    VALUES (@id, @account_id, @email, @password_hash, @must_change_password, @created_at, @updated_at)`);
  const userByEmail = db.prepare('SELECT * FROM suite_users WHERE email = ?');
  const setPassword = db.prepare('UPDATE suite_users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?');
  const endSessions = db.prepare('DELETE FROM suite_sessions WHERE user_id = ? AND token_hash <> ?');
  const insertSession = db.prepare(`INSERT INTO suite_sessions (token_hash, user_id, csrf_token, created_at, expires_at)
    VALUES (@token_hash, @user_id, @csrf_token, @created_at, @expires_at)`);
  const sessionByHash = db.prepare(`SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at AS session_created_at, s.expires_at, u.*
    FROM suite_sessions s JOIN suite_users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`);
  const deleteSession = db.prepare('DELETE FROM suite_sessions WHERE token_hash = ?');
  const byUuids = db.prepare('SELECT * FROM messages WHERE uuid IN (SELECT value FROM json_each(?)) AND account_id = ?');
  const statusTimes = db.prepare(`SELECT message_uuid, status, max(occurred_at) AS occurred_at FROM status_events
    WHERE message_uuid IN (SELECT value FROM json_each(?)) GROUP BY message_uuid, status`);
  const stats = Object.entries(statsSql(SQLITE)).map(([key, sql]) => [key, db.prepare(sql)] as const);
  const dead = db.prepare("SELECT * FROM callbacks WHERE account_id = ? AND state = 'dead' ORDER BY created_at DESC LIMIT ?");

  return {
    createSuiteUser(user: SuiteUser): void {
      insertUser.run({ ...user, must_change_password: user.must_change_password ? 1 : 0 });
    },
    findSuiteUserByEmail(email: string): SuiteUser | undefined {
      const row = userByEmail.get(email) as Row | undefined;
      return row && suiteUserFromRow(row);
    },
    setSuiteUserPassword: db.transaction((userId: string, hash: string, mustChange: boolean, now: number, keepSession?: string) => {
      setPassword.run(hash, mustChange ? 1 : 0, now, userId);
      endSessions.run(userId, keepSession ?? '');
    }),
    createSuiteSession(session: SuiteSession): void {
      insertSession.run(session);
    },
    findSuiteSession(tokenHash: string, now: number) {
      const row = sessionByHash.get(tokenHash, now) as Row | undefined;
      if (!row) return undefined;
      return { session: suiteSessionFromRow({ ...row, created_at: row.session_created_at }), user: suiteUserFromRow(row) };
    },
    deleteSuiteSession(tokenHash: string): void {
      deleteSession.run(tokenHash);
    },
    listAccountMessages(accountId: string, filter: MessageFilter, limit: number) {
      const { sql, params } = messageListSql(SQLITE, accountId, filter, limit);
      return (db.prepare(sql).all(...params) as Row[]).map(messageFromRow);
    },
    listAccountMessagesByUuid: (accountId: string, uuids: string[]) => (byUuids.all(JSON.stringify(uuids), accountId) as Row[]).map(messageFromRow),
    listStatusTimes: (uuids: string[]) => (statusTimes.all(JSON.stringify(uuids)) as Row[]).map(statusTimeFromRow),
    accountStats: (accountId: string, since: number) =>
      statsFromRows(Object.fromEntries(stats.map(([key, statement]) => [key, statement.all(accountId, since) as Row[]])) as Parameters<typeof statsFromRows>[0]),
    listDeadLetters: (accountId: string, limit: number) => (dead.all(accountId, limit) as Row[]).map(callbackFromRow),
  };
}

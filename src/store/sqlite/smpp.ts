import type { Db } from './database.js';
import type { SmppCredential, SmppSessionLease } from '../smpp.js';
import { destinationQueries } from './destinations.js';
import type { Row } from '../rows.js';

export function smppCredentialFromRow(row: Row | undefined): SmppCredential | undefined {
  if (!row) return undefined;
  return {
    account_id: row.account_id as string,
    system_id: row.system_id as string,
    password_hash: row.password_hash as string,
    max_sessions: Number(row.max_sessions),
    submit_rate: Number(row.submit_rate),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

export function smppQueries(db: Db) {
  const destinations = destinationQueries(db);
  const upsert = db.prepare(`INSERT INTO smpp_credentials
    (account_id, system_id, password_hash, max_sessions, submit_rate, created_at, updated_at)
    VALUES (@account_id, @system_id, @password_hash, @max_sessions, @submit_rate, @created_at, @updated_at)
    ON CONFLICT (account_id) DO UPDATE SET system_id = excluded.system_id, password_hash = excluded.password_hash,
      max_sessions = excluded.max_sessions, submit_rate = excluded.submit_rate, updated_at = excluded.updated_at`);
  const bySystemId = db.prepare('SELECT * FROM smpp_credentials WHERE system_id = ?');
  const byAccount = db.prepare('SELECT * FROM smpp_credentials WHERE account_id = ?');
  const hurry = db.prepare(`UPDATE callbacks SET due_at = @now
    WHERE destination_key = @key AND state = 'pending' AND due_at > @now`);
  const liveSessions = db.prepare('SELECT count(*) AS n FROM smpp_sessions WHERE account_id = ? AND expires_at > ?');
  const insertSession = db.prepare('INSERT INTO smpp_sessions (id, account_id, system_id, expires_at) VALUES (@id, @account_id, @system_id, @expires_at)');
  const expiredSessions = db.prepare('DELETE FROM smpp_sessions WHERE account_id = ? AND expires_at <= ?');
  const renewSessions = db.prepare('UPDATE smpp_sessions SET expires_at = ? WHERE id IN (SELECT value FROM json_each(?))');
  const deleteSession = db.prepare('DELETE FROM smpp_sessions WHERE id = ?');
  return {
    // IMMEDIATE: the count and the insert happen under the write lock.
    claimSmppSession: (lease: SmppSessionLease, max: number, now: number) =>
      db.transaction((): boolean => {
        expiredSessions.run(lease.account_id, now);
        if ((liveSessions.get(lease.account_id, now) as { n: number }).n >= max) return false;
        insertSession.run(lease);
        return true;
      }).immediate(),
    renewSmppSessions: (ids: string[], expiresAt: number) => void renewSessions.run(expiresAt, JSON.stringify(ids)),
    releaseSmppSession: (id: string) => void deleteSession.run(id),
    saveSmppCredential: (credential: SmppCredential) => void upsert.run(credential),
    findSmppCredential: (systemId: string) => smppCredentialFromRow(bySystemId.get(systemId) as Row | undefined),
    getSmppCredentialOfAccount: (accountId: string) => smppCredentialFromRow(byAccount.get(accountId) as Row | undefined),
    hurryDestination: db.transaction((key: string, now: number): number => {
      const changed = hurry.run({ key, now }).changes;
      if (changed > 0) destinations.lowerDueAt(new Map([[key, now]]));
      return changed;
    }),
  };
}

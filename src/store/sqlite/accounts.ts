import type { Db } from './database.js';
import type { Account } from '../store.js';
import { accountFromRow, type Row } from '../rows.js';

export function accountQueries(db: Db) {
  const insert = db.prepare(`INSERT INTO accounts
    (id, name, api_key, api_secret_hash, signature_secret, application_id, status_url, forwarding, created_at)
    VALUES (@id, @name, @api_key, @api_secret_hash, @signature_secret, @application_id, @status_url, @forwarding, @created_at)`);
  const byApiKey = db.prepare('SELECT * FROM accounts WHERE api_key = ?');
  const byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
  const setStatusUrl = db.prepare('UPDATE accounts SET status_url = ? WHERE id = ?');
  const setForwarding = db.prepare('UPDATE accounts SET forwarding = ? WHERE id = ?');
  const withSenders = db.prepare("SELECT * FROM accounts WHERE email_senders IS NOT NULL AND email_senders != '[]'");
  const setEmailSenders = db.prepare('UPDATE accounts SET email_senders = ? WHERE id = ?');
  const setSecretHash = db.prepare('UPDATE accounts SET api_secret_hash = ? WHERE id = ?');

  return {
    createAccount(account: Account): void {
      insert.run({
        ...account,
        application_id: account.application_id ?? null,
        status_url: account.status_url ?? null,
        forwarding: account.forwarding === undefined ? null : JSON.stringify(account.forwarding),
      });
    },
    findAccountByApiKey: (apiKey: string) => accountFromRow(byApiKey.get(apiKey) as Row | undefined),
    getAccount: (id: string) => accountFromRow(byId.get(id) as Row | undefined),
    setApiSecretHash(id: string, hash: string): void {
      setSecretHash.run(hash, id);
    },
    listEmailSenderAccounts: () => (withSenders.all() as Row[]).map((row) => accountFromRow(row)!),
    updateAccount: db.transaction((id: string, patch: { status_url?: string | null; forwarding?: unknown; email_senders?: string[] }) => {
      if (patch.status_url !== undefined) setStatusUrl.run(patch.status_url, id);
      if (patch.forwarding !== undefined) setForwarding.run(JSON.stringify(patch.forwarding), id);
      if (patch.email_senders !== undefined) setEmailSenders.run(JSON.stringify(patch.email_senders), id);
    }),
  };
}

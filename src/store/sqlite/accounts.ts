import type { Db } from './database.js';
import type { Account, AccountPatch, StoredSecrets } from '../store.js';
import { accountFromRow, storedSecretsFromRow, type Row } from '../rows.js';

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
  const setEmailTextLimit = db.prepare('UPDATE accounts SET email_text_limit = ? WHERE id = ?');
  const setApiRateLimit = db.prepare('UPDATE accounts SET api_rate_limit = ? WHERE id = ?');
  const setApiSecretHash = db.prepare('UPDATE accounts SET api_secret_hash = ? WHERE id = ?');
  const setDisabledAt = db.prepare('UPDATE accounts SET disabled_at = ? WHERE id = ?');
  const rotate = db.prepare(`UPDATE accounts SET previous_signature_secret = signature_secret,
    previous_signature_secret_until = @until, signature_secret = @next WHERE id = @id`);
  const allSecrets = db.prepare('SELECT id, signature_secret, previous_signature_secret FROM accounts');
  const setSecrets = db.prepare(
    'UPDATE accounts SET signature_secret = @signature_secret, previous_signature_secret = @previous_signature_secret WHERE id = @account_id',
  );

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
    listEmailSenderAccounts: () => (withSenders.all() as Row[]).map((row) => accountFromRow(row)!),
    updateAccount: db.transaction((id: string, patch: AccountPatch) => {
      if (patch.status_url !== undefined) setStatusUrl.run(patch.status_url, id);
      if (patch.forwarding !== undefined) setForwarding.run(JSON.stringify(patch.forwarding), id);
      if (patch.email_senders !== undefined) setEmailSenders.run(JSON.stringify(patch.email_senders), id);
      if (patch.email_text_limit !== undefined) setEmailTextLimit.run(patch.email_text_limit, id);
      if (patch.api_rate_limit !== undefined) setApiRateLimit.run(patch.api_rate_limit, id);
      if (patch.api_secret_hash !== undefined) setApiSecretHash.run(patch.api_secret_hash, id);
      if (patch.disabled_at !== undefined) setDisabledAt.run(patch.disabled_at, id);
    }),
    rotateSignatureSecret: (id: string, next: string, until: number) => rotate.run({ id, next, until }).changes > 0,
    rewriteSecrets: db.transaction((rewrite: (secrets: StoredSecrets) => StoredSecrets | undefined) => {
      let changed = 0;
      for (const row of allSecrets.all() as Row[]) {
        const next = rewrite(storedSecretsFromRow(row));
        if (!next) continue;
        setSecrets.run({ ...next, previous_signature_secret: next.previous_signature_secret ?? null });
        changed += 1;
      }
      return changed;
    }),
  };
}

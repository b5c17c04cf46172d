import type { Db } from './database.js';
import type { Account, AccountPatch, StoredSecrets, StoredSqsSecret } from '../store.js';
import { accountFromRow, queueCredentialsColumns, queueCredentialsFromRow, storedSecretsFromRow, type Row } from '../rows.js';

export function accountQueries(db: Db) {
  const insert = db.prepare(`INSERT INTO accounts
    (id, name, api_key, api_secret_hash, signature_secret, application_id, status_url, forwarding, created_at)
    VALUES (@id, @name, @api_key, @api_secret_hash, @signature_secret, @application_id, @status_url, @forwarding, @created_at)`);
  const byApiKey = db.prepare('SELECT * FROM accounts WHERE api_key = ?');
  const byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
  const setStatusUrl = db.prepare('UPDATE accounts SET status_url = ? WHERE id = ?');
  const setStatusBatch = db.prepare('UPDATE accounts SET status_batch = ? WHERE id = ?');
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
  const dropSqsCredentials = db.prepare('DELETE FROM sqs_credentials WHERE account_id = ?');
  const insertSqsCredentials = db.prepare(`INSERT INTO sqs_credentials (account_id, queue_url, access_key_id, secret_access_key, role_arn)
    VALUES (@account_id, @queue_url, @access_key_id, @secret_access_key, @role_arn)`);
  const sqsCredentialsOf = db.prepare('SELECT * FROM sqs_credentials WHERE account_id = ? ORDER BY queue_url');
  const sqsCredentialsFor = db.prepare('SELECT * FROM sqs_credentials WHERE account_id = ? AND queue_url = ?');
  const allSqsSecrets = db.prepare('SELECT account_id, queue_url, secret_access_key FROM sqs_credentials WHERE secret_access_key IS NOT NULL');
  const setSqsSecret = db.prepare('UPDATE sqs_credentials SET secret_access_key = ? WHERE account_id = ? AND queue_url = ?');

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
      if (patch.status_batch !== undefined) setStatusBatch.run(patch.status_batch === null ? null : JSON.stringify(patch.status_batch), id);
      if (patch.forwarding !== undefined) setForwarding.run(JSON.stringify(patch.forwarding), id);
      if (patch.email_senders !== undefined) setEmailSenders.run(JSON.stringify(patch.email_senders), id);
      if (patch.email_text_limit !== undefined) setEmailTextLimit.run(patch.email_text_limit, id);
      if (patch.api_rate_limit !== undefined) setApiRateLimit.run(patch.api_rate_limit, id);
      if (patch.api_secret_hash !== undefined) setApiSecretHash.run(patch.api_secret_hash, id);
      if (patch.disabled_at !== undefined) setDisabledAt.run(patch.disabled_at, id);
      if (patch.sqs_credentials !== undefined) {
        dropSqsCredentials.run(id);
        for (const entry of patch.sqs_credentials) insertSqsCredentials.run(queueCredentialsColumns(id, entry));
      }
    }),
    listSqsCredentials: (accountId: string) => (sqsCredentialsOf.all(accountId) as Row[]).map(queueCredentialsFromRow),
    findSqsCredentials(accountId: string, queueUrl: string) {
      const row = sqsCredentialsFor.get(accountId, queueUrl) as Row | undefined;
      return row && queueCredentialsFromRow(row).credentials;
    },
    rewriteSqsSecrets: db.transaction((rewrite: (secret: StoredSqsSecret) => string | undefined) => {
      let changed = 0;
      for (const row of allSqsSecrets.all() as StoredSqsSecret[]) {
        const next = rewrite(row);
        if (next === undefined) continue;
        setSqsSecret.run(next, row.account_id, row.queue_url);
        changed += 1;
      }
      return changed;
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

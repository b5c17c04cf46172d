import { inTransaction, type Pool } from './database.js';
import type { Account, AccountPatch, StoredSecrets, StoredSqsSecret } from '../store.js';
import { accountFromRow, queueCredentialsColumns, queueCredentialsFromRow, storedSecretsFromRow, type Row } from '../rows.js';

const INSERT = `INSERT INTO accounts
  (id, name, api_key, api_secret_hash, signature_secret, application_id, status_url, forwarding, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** One statement: a field whose flag is false keeps its value; status_url null clears it. */
const UPDATE = `UPDATE accounts SET
  status_url = CASE WHEN $2::boolean THEN $3 ELSE status_url END,
  forwarding = CASE WHEN $4::boolean THEN $5::jsonb ELSE forwarding END,
  email_senders = CASE WHEN $6::boolean THEN $7::jsonb ELSE email_senders END,
  email_text_limit = CASE WHEN $8::boolean THEN $9::integer ELSE email_text_limit END,
  api_rate_limit = CASE WHEN $10::boolean THEN $11::integer ELSE api_rate_limit END,
  api_secret_hash = CASE WHEN $12::boolean THEN $13 ELSE api_secret_hash END,
  disabled_at = CASE WHEN $14::boolean THEN $15::bigint ELSE disabled_at END,
  status_batch = CASE WHEN $16::boolean THEN $17::jsonb ELSE status_batch END
  WHERE id = $1`;

const ROTATE = `UPDATE accounts SET previous_signature_secret = signature_secret,
  previous_signature_secret_until = $3, signature_secret = $2 WHERE id = $1`;

export function accountQueries(pool: Pool) {
  const one = async (sql: string, value: string) => accountFromRow((await pool.query<Row>(sql, [value])).rows[0]);
  return {
    async createAccount(account: Account): Promise<void> {
      await pool.query(INSERT, [
        account.id,
        account.name,
        account.api_key,
        account.api_secret_hash,
        account.signature_secret,
        account.application_id ?? null,
        account.status_url ?? null,
        account.forwarding === undefined ? null : JSON.stringify(account.forwarding),
        account.created_at,
      ]);
    },
    findAccountByApiKey: (apiKey: string) => one('SELECT * FROM accounts WHERE api_key = $1', apiKey),
    getAccount: (id: string) => one('SELECT * FROM accounts WHERE id = $1', id),
    async listEmailSenderAccounts() {
      const { rows } = await pool.query<Row>("SELECT * FROM accounts WHERE email_senders IS NOT NULL AND email_senders <> '[]'::jsonb");
      return rows.map((row) => accountFromRow(row)!);
    },
    updateAccount: (id: string, patch: AccountPatch) =>
      inTransaction(pool, async (client) => {
        await client.query(UPDATE, [
          id,
          patch.status_url !== undefined,
          patch.status_url ?? null,
          patch.forwarding !== undefined,
          patch.forwarding === undefined ? null : JSON.stringify(patch.forwarding),
          patch.email_senders !== undefined,
          patch.email_senders === undefined ? null : JSON.stringify(patch.email_senders),
          patch.email_text_limit !== undefined,
          patch.email_text_limit ?? null,
          patch.api_rate_limit !== undefined,
          patch.api_rate_limit ?? null,
          patch.api_secret_hash !== undefined,
          patch.api_secret_hash ?? null,
          patch.disabled_at !== undefined,
          patch.disabled_at ?? null,
          patch.status_batch !== undefined,
          patch.status_batch == null ? null : JSON.stringify(patch.status_batch),
        ]);
        if (patch.sqs_credentials === undefined) return;
        await client.query('DELETE FROM sqs_credentials WHERE account_id = $1', [id]);
        for (const entry of patch.sqs_credentials) {
          const row = queueCredentialsColumns(id, entry);
          await client.query('INSERT INTO sqs_credentials (account_id, queue_url, access_key_id, secret_access_key, role_arn) VALUES ($1, $2, $3, $4, $5)', [
            row.account_id,
            row.queue_url,
            row.access_key_id,
            row.secret_access_key,
            row.role_arn,
          ]);
        }
      }),
    async listSqsCredentials(accountId: string) {
      const { rows } = await pool.query<Row>('SELECT * FROM sqs_credentials WHERE account_id = $1 ORDER BY queue_url', [accountId]);
      return rows.map(queueCredentialsFromRow);
    },
    async findSqsCredentials(accountId: string, queueUrl: string) {
      const [row] = (await pool.query<Row>('SELECT * FROM sqs_credentials WHERE account_id = $1 AND queue_url = $2', [accountId, queueUrl])).rows;
      return row && queueCredentialsFromRow(row).credentials;
    },
    rewriteSqsSecrets: (rewrite: (secret: StoredSqsSecret) => string | undefined) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query<StoredSqsSecret>(
          'SELECT account_id, queue_url, secret_access_key FROM sqs_credentials WHERE secret_access_key IS NOT NULL ORDER BY account_id, queue_url FOR UPDATE',
        );
        let changed = 0;
        for (const row of rows) {
          const next = rewrite(row);
          if (next === undefined) continue;
          await client.query('UPDATE sqs_credentials SET secret_access_key = $3 WHERE account_id = $1 AND queue_url = $2', [row.account_id, row.queue_url, next]);
          changed += 1;
        }
        return changed;
      }),
    async rotateSignatureSecret(id: string, next: string, until: number): Promise<boolean> {
      return ((await pool.query(ROTATE, [id, next, until])).rowCount ?? 0) > 0;
    },
    rewriteSecrets: (rewrite: (secrets: StoredSecrets) => StoredSecrets | undefined) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query<Row>('SELECT id, signature_secret, previous_signature_secret FROM accounts ORDER BY id FOR NO KEY UPDATE');
        let changed = 0;
        for (const row of rows) {
          const next = rewrite(storedSecretsFromRow(row));
          if (!next) continue;
          await client.query('UPDATE accounts SET signature_secret = $2, previous_signature_secret = $3 WHERE id = $1', [
            next.account_id,
            next.signature_secret,
            next.previous_signature_secret ?? null,
          ]);
          changed += 1;
        }
        return changed;
      }),
  };
}

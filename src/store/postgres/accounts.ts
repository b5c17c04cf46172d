import { inTransaction, type Pool } from './database.js';
import type { Account, AccountPatch, StoredSecrets } from '../store.js';
import { accountFromRow, storedSecretsFromRow, type Row } from '../rows.js';

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
  disabled_at = CASE WHEN $14::boolean THEN $15::bigint ELSE disabled_at END
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
    async updateAccount(id: string, patch: AccountPatch): Promise<void> {
      await pool.query(UPDATE, [
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
      ]);
    },
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

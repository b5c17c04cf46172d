import type { Pool } from './database.js';
import type { Account } from '../store.js';
import { accountFromRow, type Row } from '../rows.js';

const INSERT = `INSERT INTO accounts
  (id, name, api_key, api_secret_hash, signature_secret, application_id, status_url, forwarding, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** One statement: a field whose flag is false keeps its value; status_url null clears it. */
const UPDATE = `UPDATE accounts SET
  status_url = CASE WHEN $2::boolean THEN $3 ELSE status_url END,
  forwarding = CASE WHEN $4::boolean THEN $5::jsonb ELSE forwarding END,
  email_senders = CASE WHEN $6::boolean THEN $7::jsonb ELSE email_senders END
  WHERE id = $1`;

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
    async setApiSecretHash(id: string, hash: string): Promise<void> {
      await pool.query('UPDATE accounts SET api_secret_hash = $1 WHERE id = $2', [hash, id]);
    },
    async listEmailSenderAccounts() {
      const { rows } = await pool.query<Row>("SELECT * FROM accounts WHERE email_senders IS NOT NULL AND email_senders <> '[]'::jsonb");
      return rows.map((row) => accountFromRow(row)!);
    },
    async updateAccount(id: string, patch: { status_url?: string | null; forwarding?: unknown; email_senders?: string[] }): Promise<void> {
      await pool.query(UPDATE, [
        id,
        patch.status_url !== undefined,
        patch.status_url ?? null,
        patch.forwarding !== undefined,
        patch.forwarding === undefined ? null : JSON.stringify(patch.forwarding),
        patch.email_senders !== undefined,
        patch.email_senders === undefined ? null : JSON.stringify(patch.email_senders),
      ]);
    },
  };
}

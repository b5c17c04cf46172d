import type { Pool } from './database.js';
import type { AccessToken } from '../store.js';
import { accountFromRow, type Row } from '../rows.js';
import { accessTokenFromRow } from '../access-tokens.js';

export function accessTokenQueries(pool: Pool) {
  return {
    async createAccessToken(token: AccessToken): Promise<void> {
      await pool.query(
        'INSERT INTO access_tokens (id, account_id, token_hash, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL)',
        [token.id, token.account_id, token.token_hash, token.label ?? null, token.created_at],
      );
    },
    async findAccountByAccessToken(tokenHash: string) {
      const result = await pool.query<Row>(
        `SELECT accounts.* FROM access_tokens JOIN accounts ON accounts.id = access_tokens.account_id
         WHERE access_tokens.token_hash = $1 AND access_tokens.revoked_at IS NULL`,
        [tokenHash],
      );
      return accountFromRow(result.rows[0]);
    },
    async listAccessTokens(accountId: string): Promise<AccessToken[]> {
      const result = await pool.query<Row>('SELECT * FROM access_tokens WHERE account_id = $1 ORDER BY created_at DESC, id DESC', [accountId]);
      return result.rows.map(accessTokenFromRow);
    },
    async revokeAccessToken(accountId: string, id: string, now: number): Promise<boolean> {
      const result = await pool.query('UPDATE access_tokens SET revoked_at = $1 WHERE account_id = $2 AND id = $3 AND revoked_at IS NULL', [
        now,
        accountId,
        id,
      ]);
      return (result.rowCount ?? 0) > 0;
    },
  };
}

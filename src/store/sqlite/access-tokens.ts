import type { Db } from './database.js';
import type { AccessToken } from '../store.js';
import { accountFromRow, type Row } from '../rows.js';
import { accessTokenFromRow } from '../access-tokens.js';

export function accessTokenQueries(db: Db) {
  const insert = db.prepare(`INSERT INTO access_tokens (id, account_id, token_hash, label, created_at, revoked_at)
    VALUES (@id, @account_id, @token_hash, @label, @created_at, NULL)`);
  const accountOf = db.prepare(`SELECT accounts.* FROM access_tokens JOIN accounts ON accounts.id = access_tokens.account_id
    WHERE access_tokens.token_hash = ? AND access_tokens.revoked_at IS NULL`);
  const list = db.prepare('SELECT * FROM access_tokens WHERE account_id = ? ORDER BY created_at DESC, id DESC');
  const revoke = db.prepare('UPDATE access_tokens SET revoked_at = ? WHERE account_id = ? AND id = ? AND revoked_at IS NULL');
  return {
    createAccessToken(token: AccessToken): void {
      insert.run({ ...token, label: token.label ?? null });
    },
    findAccountByAccessToken: (tokenHash: string) => accountFromRow(accountOf.get(tokenHash) as Row | undefined),
    listAccessTokens: (accountId: string) => (list.all(accountId) as Row[]).map(accessTokenFromRow),
    revokeAccessToken: (accountId: string, id: string, now: number) => revoke.run(now, accountId, id).changes > 0,
  };
}

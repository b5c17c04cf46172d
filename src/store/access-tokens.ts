/** Row mapping of access tokens, shared by both stores. */
import type { AccessToken } from './store.js';
import type { Row } from './rows.js';

export function accessTokenFromRow(row: Row): AccessToken {
  return {
    id: row.id as string,
    account_id: row.account_id as string,
    token_hash: row.token_hash as string,
    ...(row.label != null ? { label: row.label as string } : {}),
    created_at: Number(row.created_at),
    ...(row.revoked_at != null ? { revoked_at: Number(row.revoked_at) } : {}),
  };
}

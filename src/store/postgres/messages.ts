import type { Client, Pool } from './database.js';
import { columnsOf, inTransaction, unnest } from './database.js';
import { IdempotencyKeyTaken, type IdempotencyKey, type Media, type NewMessageExtras } from '../store.js';
import type { Message } from '../../model/types.js';
import { eventFromRow, mediaFromRow, messageColumns, messageFromRow, type Row } from '../rows.js';

const MESSAGE_COLUMNS = [
  'uuid', 'account_id', 'state', 'terminal', 'expires_at', 'provider_ref', 'data', 'created_at', 'updated_at',
] as const;
const MESSAGE_TYPES = ['text', 'text', 'text', 'int', 'bigint', 'text', 'text', 'bigint', 'bigint'] as const;

/** Inserts any number of messages whose columns are parameters `$first` onwards. */
export function insertMessagesSql(first: number): string {
  return `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')})
  SELECT uuid, account_id, state, terminal::boolean, expires_at, provider_ref, data::jsonb, created_at, updated_at
  FROM ${unnest(MESSAGE_TYPES, first)} AS t(${MESSAGE_COLUMNS.join(', ')})`;
}
const INSERT_MESSAGES = insertMessagesSql(1);

/** An expired key is taken over; a fresh one (a concurrent retry committed first) updates no row. */
const TAKE_IDEMPOTENCY_KEY = `INSERT INTO idempotency_keys (account_id, key, request_hash, message_uuid, created_at)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash, message_uuid = excluded.message_uuid, created_at = excluded.created_at
  WHERE idempotency_keys.created_at < $6`;

/** The parameters of INSERT_MESSAGES (also used by transition.ts for failover items). */
export function messageArrays(messages: Message[]): unknown[][] {
  return columnsOf(messages.map(messageColumns), MESSAGE_COLUMNS);
}

export async function insertMessages(client: Pool | Client, messages: Message[]): Promise<void> {
  if (messages.length > 0) await client.query(INSERT_MESSAGES, messageArrays(messages));
}

export function messageQueries(pool: Pool) {
  const one = async (sql: string, value: string) => {
    const row = (await pool.query<Row>(sql, [value])).rows[0];
    return row && messageFromRow(row);
  };
  return {
    // Messages alone are one statement, atomic without an explicit transaction.
    async insertMessages(messages: Message[], extras: NewMessageExtras = {}): Promise<void> {
      const media = extras.media ?? [];
      const keys = extras.idempotency?.keys ?? [];
      if (media.length === 0 && keys.length === 0) return insertMessages(pool, messages);
      await inTransaction(pool, async (client) => {
        for (const key of keys) {
          const taken = await client.query(TAKE_IDEMPOTENCY_KEY, [key.account_id, key.key, key.request_hash, key.message_uuid, key.created_at, extras.idempotency!.expired_before]);
          if (taken.rowCount === 0) throw new IdempotencyKeyTaken(key.key);
        }
        for (const item of media) {
          await client.query('INSERT INTO media (id, account_id, content_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5)', [item.id, item.account_id, item.content_type, item.bytes, item.created_at]);
        }
        await insertMessages(client, messages);
      });
    },
    async findIdempotencyKey(accountId: string, key: string, notBefore: number): Promise<IdempotencyKey | undefined> {
      const { rows } = await pool.query<Row>('SELECT * FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at >= $3', [accountId, key, notBefore]);
      return rows[0] && { ...(rows[0] as unknown as IdempotencyKey), created_at: Number(rows[0].created_at) };
    },
    async getMedia(id: string): Promise<Media | undefined> {
      return mediaFromRow((await pool.query<Row>('SELECT * FROM media WHERE id = $1', [id])).rows[0]);
    },
    getMessage: (uuid: string) => one('SELECT * FROM messages WHERE uuid = $1', uuid),
    async setProviderRef(uuid: string, providerRef: string): Promise<void> {
      await pool.query('UPDATE messages SET provider_ref = $1 WHERE uuid = $2', [providerRef, uuid]);
    },
    findByProviderRef: (providerRef: string) => one('SELECT * FROM messages WHERE provider_ref = $1', providerRef),
    async listOpen(limit: number, after?: Pick<Message, 'created_at' | 'uuid'>): Promise<Message[]> {
      const { rows } = await pool.query<Row>(
        'SELECT * FROM messages WHERE NOT terminal AND (created_at, uuid) > ($1, $2) ORDER BY created_at, uuid LIMIT $3',
        [after?.created_at ?? -1, after?.uuid ?? '', limit],
      );
      return rows.map(messageFromRow);
    },
    async listExpired(now: number, limit: number): Promise<Message[]> {
      const { rows } = await pool.query<Row>(
        `SELECT * FROM messages WHERE NOT terminal AND expires_at IS NOT NULL AND expires_at <= $1
          AND state IN ('accepted', 'submitted') ORDER BY expires_at LIMIT $2`,
        [now, limit],
      );
      return rows.map(messageFromRow);
    },
    async listEvents(uuid: string) {
      const { rows } = await pool.query<Row>('SELECT * FROM status_events WHERE message_uuid = $1 ORDER BY seq', [uuid]);
      return rows.map(eventFromRow);
    },
  };
}

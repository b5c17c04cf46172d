import type { Db } from './database.js';
import type { Message } from '../../model/types.js';
import { IdempotencyKeyTaken, type IdempotencyKey, type NewMessageExtras } from '../store.js';
import { eventFromRow, mediaFromRow, messageColumns, messageFromRow, type Row } from '../rows.js';

const INSERT_MESSAGE = `INSERT INTO messages
  (uuid, account_id, state, terminal, expires_at, provider_ref, data, created_at, updated_at)
  VALUES (@uuid, @account_id, @state, @terminal, @expires_at, @provider_ref, @data, @created_at, @updated_at)`;

export function messageQueries(db: Db) {
  const insert = db.prepare(INSERT_MESSAGE);
  const insertMedia = db.prepare('INSERT INTO media (id, account_id, content_type, bytes, created_at) VALUES (@id, @account_id, @content_type, @bytes, @created_at)');
  const mediaById = db.prepare('SELECT * FROM media WHERE id = ?');
  // An expired key is taken over; a fresh one changes nothing (changes = 0).
  const takeKey = db.prepare(`INSERT INTO idempotency_keys (account_id, key, request_hash, message_uuid, created_at)
    VALUES (@account_id, @key, @request_hash, @message_uuid, @created_at)
    ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash, message_uuid = excluded.message_uuid, created_at = excluded.created_at
    WHERE idempotency_keys.created_at < @expired_before`);
  const keyOf = db.prepare('SELECT * FROM idempotency_keys WHERE account_id = ? AND key = ? AND created_at >= ?');
  const byUuid = db.prepare('SELECT * FROM messages WHERE uuid = ?');
  const setRef = db.prepare('UPDATE messages SET provider_ref = ? WHERE uuid = ?');
  const byRef = db.prepare('SELECT * FROM messages WHERE provider_ref = ?');
  const open = db.prepare(
    'SELECT * FROM messages WHERE terminal = 0 AND (created_at, uuid) > (?, ?) ORDER BY created_at, uuid LIMIT ?',
  );
  const expired = db.prepare(
    `SELECT * FROM messages WHERE terminal = 0 AND expires_at IS NOT NULL AND expires_at <= ?
      AND state IN ('accepted', 'submitted') ORDER BY expires_at LIMIT ?`,
  );
  const events = db.prepare('SELECT * FROM status_events WHERE message_uuid = ? ORDER BY seq');

  return {
    insertMessages: db.transaction((messages: Message[], extras: NewMessageExtras = {}) => {
      for (const key of extras.idempotency?.keys ?? []) {
        if (takeKey.run({ ...key, expired_before: extras.idempotency!.expired_before }).changes === 0) throw new IdempotencyKeyTaken(key.key);
      }
      for (const item of extras.media ?? []) insertMedia.run(item);
      for (const message of messages) insert.run(messageColumns(message));
    }),
    getMedia: (id: string) => mediaFromRow(mediaById.get(id) as Row | undefined),
    findIdempotencyKey: (accountId: string, key: string, notBefore: number) => keyOf.get(accountId, key, notBefore) as IdempotencyKey | undefined,
    getMessage(uuid: string): Message | undefined {
      const row = byUuid.get(uuid) as Row | undefined;
      return row && messageFromRow(row);
    },
    setProviderRef(uuid: string, providerRef: string): void {
      setRef.run(providerRef, uuid);
    },
    findByProviderRef(providerRef: string): Message | undefined {
      const row = byRef.get(providerRef) as Row | undefined;
      return row && messageFromRow(row);
    },
    listOpen(limit: number, after?: Pick<Message, "created_at" | "uuid">): Message[] {
      return (open.all(after?.created_at ?? -1, after?.uuid ?? '', limit) as Row[]).map(messageFromRow);
    },
    listExpired: (now: number, limit: number) => (expired.all(now, limit) as Row[]).map(messageFromRow),
    listEvents: (uuid: string) => (events.all(uuid) as Row[]).map(eventFromRow),
  };
}

export { INSERT_MESSAGE };

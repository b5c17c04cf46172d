import type { Db } from './database.js';
import type { Message } from '../../model/types.js';
import type { Media } from '../store.js';
import { eventFromRow, mediaFromRow, messageColumns, messageFromRow, type Row } from '../rows.js';

const INSERT_MESSAGE = `INSERT INTO messages
  (uuid, account_id, state, terminal, expires_at, provider_ref, data, created_at, updated_at)
  VALUES (@uuid, @account_id, @state, @terminal, @expires_at, @provider_ref, @data, @created_at, @updated_at)`;

export function messageQueries(db: Db) {
  const insert = db.prepare(INSERT_MESSAGE);
  const insertMedia = db.prepare('INSERT INTO media (id, account_id, content_type, bytes, created_at) VALUES (@id, @account_id, @content_type, @bytes, @created_at)');
  const mediaById = db.prepare('SELECT * FROM media WHERE id = ?');
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
    insertMessages: db.transaction((messages: Message[], media: Media[] = []) => {
      for (const item of media) insertMedia.run(item);
      for (const message of messages) insert.run(messageColumns(message));
    }),
    getMedia: (id: string) => mediaFromRow(mediaById.get(id) as Row | undefined),
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

import type { Db } from './database.js';
import type { MessageContext, Transition } from '../store.js';
import { eventColumns, json, messageColumns, messageFromRow, type Row } from '../rows.js';
import { INSERT_MESSAGE } from './messages.js';

/**
 * Applies status changes in one IMMEDIATE transaction: read the messages, let the pure
 * `decide` compute the changes, write messages, events and outbox rows together.
 */
export function transitionQuery(db: Db) {
  const load = db.prepare(`SELECT m.*, a.status_url AS account_status_url, a.forwarding AS account_forwarding
    FROM messages m JOIN accounts a ON a.id = m.account_id
    WHERE m.uuid IN (SELECT value FROM json_each(?))`);
  const updateMessage = db.prepare(`UPDATE messages SET state = @state, terminal = @terminal, expires_at = @expires_at,
    data = @data, updated_at = @updated_at WHERE uuid = @uuid`);
  const insertMessage = db.prepare(INSERT_MESSAGE);
  const insertEvent = db.prepare(`INSERT INTO status_events
    (message_uuid, seq, status, occurred_at, recorded_at, source, forwarded, implied, details)
    VALUES (@message_uuid, @seq, @status, @occurred_at, @recorded_at, @source, @forwarded, @implied, @details)`);
  const insertCallback = db.prepare(`INSERT INTO callbacks
    (id, account_id, message_uuid, event_seq, status, destination, destination_key, format, content_type, body,
     state, attempts, due_at, created_at)
    VALUES (@id, @account_id, @message_uuid, @event_seq, @status, @destination, @destination_key, @format,
     @content_type, @body, 'pending', 0, @created_at, @created_at)`);

  const run = db.transaction((uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]) => {
    const contexts = new Map<string, MessageContext>();
    for (const row of load.all(JSON.stringify(uuids)) as Row[]) {
      const message = messageFromRow(row);
      contexts.set(message.uuid, {
        message,
        account: {
          id: message.account_id,
          status_url: (row.account_status_url as string | null) ?? undefined,
          forwarding: row.account_forwarding == null ? undefined : json(row.account_forwarding),
        },
      });
    }
    const transitions = decide(contexts);
    for (const { message, events, callbacks, started } of transitions) {
      updateMessage.run(messageColumns(message));
      for (const event of events) insertEvent.run(eventColumns(event));
      for (const callback of callbacks) {
        insertCallback.run({
          ...callback,
          destination: JSON.stringify(callback.destination),
          destination_key: callback.destination_key,
          created_at: callback.created_at,
        });
      }
      for (const next of started) insertMessage.run(messageColumns(next));
    }
    return transitions;
  });

  return (uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]) =>
    run.immediate(uuids, decide);
}

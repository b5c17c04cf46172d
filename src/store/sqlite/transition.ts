import type { Db } from './database.js';
import type { MessageContext, Transition } from '../store.js';
import { contextFromRow, earliestByDestination, eventColumns, messageColumns, newCallbackColumns, type Row } from '../rows.js';
import { destinationQueries } from './destinations.js';
import { INSERT_MESSAGE } from './messages.js';

/**
 * Applies status changes in one IMMEDIATE transaction: read the messages, let the pure
 * `decide` compute the changes, write messages, events and outbox rows together.
 */
export function transitionQuery(db: Db) {
  const destinations = destinationQueries(db);
  const load = db.prepare(`SELECT m.*, a.status_url AS account_status_url, a.status_batch AS account_status_batch, a.forwarding AS account_forwarding,
      a.signature_secret, a.previous_signature_secret, a.previous_signature_secret_until, a.api_key, a.application_id
    FROM messages m JOIN accounts a ON a.id = m.account_id
    WHERE m.uuid IN (SELECT value FROM json_each(?))`);
  const openLanes = db.prepare(`SELECT DISTINCT message_uuid, destination_key FROM callbacks
    WHERE message_uuid IN (SELECT value FROM json_each(?)) AND state IN ('pending', 'inflight')`);
  const updateMessage = db.prepare(`UPDATE messages SET state = @state, terminal = @terminal, expires_at = @expires_at,
    data = @data, updated_at = @updated_at WHERE uuid = @uuid`);
  const insertMessage = db.prepare(INSERT_MESSAGE);
  const insertEvent = db.prepare(`INSERT INTO status_events
    (message_uuid, seq, status, occurred_at, recorded_at, source, forwarded, implied, details)
    VALUES (@message_uuid, @seq, @status, @occurred_at, @recorded_at, @source, @forwarded, @implied, @details)`);
  const insertCallback = db.prepare(`INSERT INTO callbacks
    (id, account_id, message_uuid, event_seq, status, destination, destination_key, format, content_type, body,
     headline_channel, headline_to, headline_in_reply_to, state, attempts, due_at, lease_token, created_at)
    VALUES (@id, @account_id, @message_uuid, @event_seq, @status, @destination, @destination_key, @format,
     @content_type, @body, @headline_channel, @headline_to, @headline_in_reply_to, @state, @attempts, @due_at, @lease_token, @created_at)`);

  const run = db.transaction((uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]) => {
    const contexts = new Map<string, MessageContext>();
    const uuidList = JSON.stringify(uuids);
    for (const row of load.all(uuidList) as Row[]) contexts.set(row.uuid as string, contextFromRow(row));
    for (const lane of openLanes.all(uuidList) as Row[]) {
      contexts.get(lane.message_uuid as string)?.open_lanes.push(lane.destination_key as string);
    }
    const transitions = decide(contexts);
    const inserted = [];
    for (const { message, events, callbacks, started } of transitions) {
      updateMessage.run(messageColumns(message));
      for (const event of events) insertEvent.run(eventColumns(event));
      for (const callback of callbacks) {
        const columns = newCallbackColumns(callback);
        insertCallback.run(columns);
        inserted.push(columns);
      }
      for (const next of started) insertMessage.run(messageColumns(next));
    }
    destinations.lowerDueAt(earliestByDestination(inserted));
    return transitions;
  });

  return (uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]) =>
    run.immediate(uuids, decide);
}

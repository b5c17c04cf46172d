import type { Pool } from './database.js';
import { OUTBOX_CHANNEL, columnsOf, inTransaction, unnest } from './database.js';
import type { MessageContext, Transition } from '../store.js';
import { contextFromRow, eventColumns, messageColumns, type Row } from '../rows.js';
import { insertMessagesSql, messageArrays } from './messages.js';

/**
 * Locks the messages in uuid order (two nodes locking overlapping sets in the same order
 * cannot deadlock), so no other node applies reports to them until this transaction ends.
 */
const LOAD = `SELECT m.*, a.status_url AS account_status_url, a.forwarding AS account_forwarding
  FROM messages m JOIN accounts a ON a.id = m.account_id
  WHERE m.uuid = ANY($1::text[])
  ORDER BY m.uuid
  FOR UPDATE OF m`;

const UPDATED = ['uuid', 'state', 'terminal', 'expires_at', 'data', 'updated_at'] as const;
const EVENTS = ['message_uuid', 'seq', 'status', 'occurred_at', 'recorded_at', 'source', 'forwarded', 'implied', 'details'] as const;
const CALLBACKS = [
  'id', 'account_id', 'message_uuid', 'event_seq', 'status', 'destination', 'destination_key', 'format',
  'content_type', 'body', 'created_at',
] as const;

/**
 * Every write of a batch of transitions in one statement (one round trip): message updates,
 * events, outbox rows and failover items, each a set of column arrays. When outbox rows were
 * written it NOTIFYs, which PostgreSQL delivers to the listening nodes at commit.
 */
const E = 1 + UPDATED.length;
const C = E + EVENTS.length;
const S = C + CALLBACKS.length;
const WRITE = `
WITH updated AS (
  UPDATE messages m SET state = t.state, terminal = t.terminal::boolean, expires_at = t.expires_at,
    data = t.data::jsonb, updated_at = t.updated_at
  FROM ${unnest(['text', 'text', 'int', 'bigint', 'text', 'bigint'], 1)} AS t(${UPDATED.join(', ')})
  WHERE m.uuid = t.uuid
), events AS (
  INSERT INTO status_events (${EVENTS.join(', ')})
  SELECT message_uuid, seq, status, occurred_at, recorded_at, source, forwarded::boolean, implied::boolean, details::jsonb
  FROM ${unnest(['text', 'int', 'text', 'bigint', 'bigint', 'text', 'int', 'int', 'text'], E)} AS t(${EVENTS.join(', ')})
), outbox AS (
  INSERT INTO callbacks (${CALLBACKS.join(', ')}, state, attempts, due_at)
  SELECT id, account_id, message_uuid, event_seq, status, destination::jsonb, destination_key, format,
    content_type, body, created_at, 'pending', 0, created_at
  FROM ${unnest(['text', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint'], C)}
    AS t(${CALLBACKS.join(', ')})
  RETURNING 1
), started AS (
  ${insertMessagesSql(S)}
)
SELECT pg_notify($${S + 9}, '') FROM (SELECT 1 FROM outbox LIMIT 1) AS wrote`;

export function transitionQuery(pool: Pool) {
  return (uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]) =>
    inTransaction(pool, async (client) => {
      const contexts = new Map<string, MessageContext>();
      for (const row of (await client.query<Row>(LOAD, [uuids])).rows) {
        const context = contextFromRow(row);
        contexts.set(context.message.uuid, context);
      }
      // If decide throws, inTransaction rolls back: nothing of the batch is written.
      const transitions = decide(contexts);
      if (transitions.length === 0) return transitions;
      const callbacks = transitions.flatMap((t) => t.callbacks).map((c) => ({ ...c, destination: JSON.stringify(c.destination) }));
      await client.query(WRITE, [
        ...columnsOf(transitions.map((t) => messageColumns(t.message)), UPDATED),
        ...columnsOf(transitions.flatMap((t) => t.events.map(eventColumns)), EVENTS),
        ...columnsOf(callbacks, CALLBACKS),
        ...messageArrays(transitions.flatMap((t) => t.started)),
        OUTBOX_CHANNEL,
      ]);
      return transitions;
    });
}

import type { Pool } from './database.js';
import { OUTBOX_CHANNEL, columnsOf, inTransaction, lockMessagesSql, unnest } from './database.js';
import type { MessageContext, Transition } from '../store.js';
import { contextFromRow, eventColumns, messageColumns, newCallbackColumns, type Row } from '../rows.js';
import { insertMessagesSql, messageArrays } from './messages.js';

/** The messages, locked against transitions and outcome writes on any node (see lockMessagesSql). */
const LOCK = lockMessagesSql('exclusive');

/**
 * The messages with their account's settings and their open lanes (destinations with unfinished
 * callbacks). It runs after LOCK, so its snapshot includes every attempt outcome committed while
 * we waited: a lane freed by another node is seen free, and one still busy there will release
 * our new callback when it finishes (recordAttempts holds the same locks, shared).
 */
const LOAD = `SELECT m.*, a.status_url AS account_status_url, a.status_batch AS account_status_batch, a.forwarding AS account_forwarding,
    a.signature_secret, a.previous_signature_secret, a.previous_signature_secret_until, a.api_key, a.application_id,
    ARRAY(SELECT DISTINCT c.destination_key FROM callbacks c
          WHERE c.message_uuid = m.uuid AND c.state IN ('pending', 'inflight')) AS open_lanes
  FROM messages m JOIN accounts a ON a.id = m.account_id
  WHERE m.uuid = ANY($1::text[])`;

const UPDATED = ['uuid', 'state', 'terminal', 'expires_at', 'data', 'updated_at'] as const;
const EVENTS = ['message_uuid', 'seq', 'status', 'occurred_at', 'recorded_at', 'source', 'forwarded', 'implied', 'details'] as const;
const CALLBACKS = [
  'id', 'account_id', 'message_uuid', 'event_seq', 'status', 'destination', 'destination_key', 'format',
  'content_type', 'body', 'headline_channel', 'headline_to', 'created_at', 'state', 'attempts', 'due_at', 'lease_token',
  'headline_in_reply_to',
] as const;

/**
 * Every write of a batch of transitions in one statement (one round trip): message updates,
 * events, outbox rows and failover items, each a set of column arrays. When it wrote outbox
 * rows that any node may claim now (not handed to this node's dispatcher, not waiting for their
 * lane) it NOTIFYs, which PostgreSQL delivers to the listening nodes at commit.
 */
const E = 1 + UPDATED.length;
const C = E + EVENTS.length;
const S = C + CALLBACKS.length;
const N = S + 9;
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
  INSERT INTO callbacks (${CALLBACKS.join(', ')})
  SELECT id, account_id, message_uuid, event_seq, status, destination::jsonb, destination_key, format,
    content_type, body, headline_channel, headline_to, created_at, state, attempts, due_at, lease_token,
    headline_in_reply_to
  FROM ${unnest(['text', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'int', 'bigint', 'text', 'text'], C)}
    AS t(${CALLBACKS.join(', ')})
), started AS (
  ${insertMessagesSql(S)}
)
SELECT pg_notify($${N}, '') WHERE $${N + 1}::boolean`;

export function transitionQuery(pool: Pool) {
  return (uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]) =>
    inTransaction(pool, async (client) => {
      const contexts = new Map<string, MessageContext>();
      await client.query(LOCK, [uuids]);
      for (const row of (await client.query<Row>(LOAD, [uuids])).rows) {
        contexts.set(row.uuid as string, { ...contextFromRow(row), open_lanes: row.open_lanes as string[] });
      }
      // If decide throws, inTransaction rolls back: nothing of the batch is written.
      const transitions = decide(contexts);
      if (transitions.length === 0) return transitions;
      const callbacks = transitions.flatMap((t) => t.callbacks.map(newCallbackColumns));
      const claimableNow = callbacks.some((c) => c.state === 'pending' && c.due_at !== null);
      await client.query(WRITE, [
        ...columnsOf(transitions.map((t) => messageColumns(t.message)), UPDATED),
        ...columnsOf(transitions.flatMap((t) => t.events.map(eventColumns)), EVENTS),
        ...columnsOf(callbacks, CALLBACKS),
        ...messageArrays(transitions.flatMap((t) => t.started)),
        OUTBOX_CHANNEL,
        claimableNow,
      ]);
      return transitions;
    });
}

/**
 * What the store keeps for the Messaging Suite (migration 8): its users and their sessions, and
 * the queries its pages read (an account's messages newest first, when each reached each status,
 * the overview's numbers).
 */
import type { Message } from '../model/types.js';
import type { Channel, InterfaceName, MessageState, Status } from '../model/vocabulary.js';

export interface SuiteUser {
  id: string;
  account_id: string;
  /** Lower case; unique over all accounts. */
  email: string;
  /** scrypt with a random salt (intake/passwords.ts). */
  password_hash: string;
  /** Set for a password the CLI generated: the user must choose their own after signing in. */
  must_change_password: boolean;
  created_at: number;
  updated_at: number;
}

export interface SuiteSession {
  /** Hex SHA-256 of the cookie's token: a leaked table holds no usable session. */
  token_hash: string;
  user_id: string;
  /** Sent with every state-changing request of the session. */
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** Where the next page of a newest-first listing starts: after this message. */
export interface MessageCursor {
  created_at: number;
  uuid: string;
}

export interface MessageFilter {
  state?: MessageState;
  channel?: Channel;
  interface?: InterfaceName;
  /** Created at or after (epoch ms). */
  from?: number;
  /** Created before (epoch ms). */
  until?: number;
  /** Exactly this recipient number. */
  to?: string;
  client_ref?: string;
  uuid?: string;
  /** Keyset paging: only messages older than this one. */
  before?: MessageCursor;
}

export interface StatusTime {
  message_uuid: string;
  status: Status;
  occurred_at: number;
}

/** What the suite's overview charts are drawn from: the account's messages created since a time. */
export interface AccountStats {
  /** Messages per UTC day (epoch day number), current state and channel. */
  messages: Array<{ day: number; state: MessageState; channel: Channel; count: number }>;
  /** Their callbacks per UTC day of the message and state. */
  callbacks: Array<{ day: number; state: string; count: number }>;
  /** Milliseconds from accepted to delivered, for up to STATS_SAMPLE delivered messages. */
  toDelivered: number[];
  /** Destinations with failed or dead callbacks, most failures first. */
  failing: Array<{ destination_key: string; failures: number; latest: number }>;
}

export const STATS_SAMPLE = 10_000;
const DAY_MS = 86_400_000;

/** The four statements of accountStats; each takes (account_id, since) as its two parameters. */
export function statsSql(dialect: SqlDialect): Record<keyof AccountStats, string> {
  const [account, since] = [dialect.param(0), dialect.param(1)];
  // Callbacks are reached through the account's messages, so no index beyond the message ones is needed.
  const ofMessages = `FROM messages m JOIN callbacks c ON c.message_uuid = m.uuid WHERE m.account_id = ${account} AND m.created_at >= ${since}`;
  return {
    messages: `SELECT created_at / ${DAY_MS} AS day, state, ${dialect.jsonField('channel')} AS channel, count(*) AS count
      FROM messages WHERE account_id = ${account} AND created_at >= ${since} GROUP BY 1, 2, 3 ORDER BY 1`,
    callbacks: `SELECT m.created_at / ${DAY_MS} AS day, c.state AS state, count(*) AS count ${ofMessages} GROUP BY 1, 2 ORDER BY 1`,
    toDelivered: `SELECT e.occurred_at - m.created_at AS ms FROM messages m JOIN status_events e ON e.message_uuid = m.uuid AND e.status = 'delivered'
      WHERE m.account_id = ${account} AND m.created_at >= ${since} LIMIT ${STATS_SAMPLE}`,
    failing: `SELECT c.destination_key AS destination_key, count(*) AS failures, max(c.created_at) AS latest ${ofMessages}
      AND c.state IN ('failed', 'dead') GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
  };
}

export function statsFromRows(rows: Record<keyof AccountStats, Row[]>): AccountStats {
  return {
    messages: rows.messages.map((row) => ({ day: Number(row.day), state: row.state as MessageState, channel: row.channel as Channel, count: Number(row.count) })),
    callbacks: rows.callbacks.map((row) => ({ day: Number(row.day), state: row.state as string, count: Number(row.count) })),
    toDelivered: rows.toDelivered.map((row) => Number(row.ms)),
    failing: rows.failing.map((row) => ({ destination_key: row.destination_key as string, failures: Number(row.failures), latest: Number(row.latest) })),
  };
}

export interface SuiteStore {
  createSuiteUser(user: SuiteUser): Promise<void>;
  findSuiteUserByEmail(email: string): Promise<SuiteUser | undefined>;
  /** Sets a new password hash and ends every session of the user but `keepSession` (hash). */
  setSuiteUserPassword(userId: string, passwordHash: string, mustChange: boolean, now: number, keepSession?: string): Promise<void>;
  createSuiteSession(session: SuiteSession): Promise<void>;
  /** The session and its user, if the session exists and has not expired by `now`. */
  findSuiteSession(tokenHash: string, now: number): Promise<{ session: SuiteSession; user: SuiteUser } | undefined>;
  deleteSuiteSession(tokenHash: string): Promise<void>;
  /** The account's messages, newest first (created_at, uuid), filtered; keyset paged by `filter.before`. */
  listAccountMessages(accountId: string, filter: MessageFilter, limit: number): Promise<Message[]>;
  /** Those of these messages that belong to the account (by primary key: no index of its own). */
  listAccountMessagesByUuid(accountId: string, uuids: string[]): Promise<Message[]>;
  /** When each of these messages reached each status it has (the latest time per status). */
  listStatusTimes(uuids: string[]): Promise<StatusTime[]>;
  /** The overview's numbers for the account's messages created since `since`. */
  accountStats(accountId: string, since: number): Promise<AccountStats>;
}

type Row = Record<string, unknown>;

export function suiteUserFromRow(row: Row): SuiteUser {
  return {
    id: row.id as string,
    account_id: row.account_id as string,
    email: row.email as string,
    password_hash: row.password_hash as string,
    must_change_password: Boolean(row.must_change_password),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

export function suiteSessionFromRow(row: Row): SuiteSession {
  return {
    token_hash: row.token_hash as string,
    user_id: row.user_id as string,
    csrf_token: row.csrf_token as string,
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
  };
}

/** How a store spells a field of the message JSON and the n-th (0-based) parameter. */
export interface SqlDialect {
  jsonField(name: 'to' | 'client_ref' | 'channel' | 'interface'): string;
  param(index: number): string;
}

/**
 * The WHERE clause and parameters of listAccountMessages, for either store. The account and
 * the keyset come first so the (account_id, created_at, uuid) index serves the order.
 */
export function messageListSql(dialect: SqlDialect, accountId: string, filter: MessageFilter, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return dialect.param(params.length - 1);
  };
  const where = [`account_id = ${p(accountId)}`];
  if (filter.before) where.push(`(created_at, uuid) < (${p(filter.before.created_at)}, ${p(filter.before.uuid)})`);
  if (filter.state) where.push(`state = ${p(filter.state)}`);
  if (filter.channel) where.push(`${dialect.jsonField('channel')} = ${p(filter.channel)}`);
  if (filter.interface) where.push(`${dialect.jsonField('interface')} = ${p(filter.interface)}`);
  if (filter.from !== undefined) where.push(`created_at >= ${p(filter.from)}`);
  if (filter.until !== undefined) where.push(`created_at < ${p(filter.until)}`);
  if (filter.to) where.push(`${dialect.jsonField('to')} = ${p(filter.to)}`);
  if (filter.client_ref) where.push(`${dialect.jsonField('client_ref')} = ${p(filter.client_ref)}`);
  if (filter.uuid) where.push(`uuid = ${p(filter.uuid)}`);
  const sql = `SELECT * FROM messages WHERE ${where.join(' AND ')} ORDER BY created_at DESC, uuid DESC LIMIT ${p(limit)}`;
  return { sql, params };
}

export function statusTimeFromRow(row: Row): StatusTime {
  return { message_uuid: row.message_uuid as string, status: row.status as Status, occurred_at: Number(row.occurred_at) };
}

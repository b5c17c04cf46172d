/**
 * Row <-> object mapping shared by both stores. Both keep the same columns; JSON columns are
 * text in SQLite and jsonb in PostgreSQL, so parsing accepts either.
 */
import type { Message, StatusEvent } from '../model/types.js';
import type { Account, Attempt, Callback, CallbackState, ClaimedCallback, Media, MessageContext, MessagePart, NewCallback, ParkedReport, Signing, StoredSecrets } from './store.js';
import { isTerminal } from '../model/vocabulary.js';
import type { BatchSettings, SqsCredentials } from '../model/destination.js';
import type { QueueCredentials } from '../model/forwarding-rules.js';

export type Row = Record<string, unknown>;

export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function optional<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

export function accountFromRow(row: Row | undefined): Account | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    name: row.name as string,
    api_key: row.api_key as string,
    api_secret_hash: row.api_secret_hash as string,
    signature_secret: row.signature_secret as string,
    ...previousSecretFromRow(row),
    ...(row.disabled_at == null ? {} : { disabled_at: Number(row.disabled_at) }),
    application_id: optional(row.application_id),
    status_url: optional(row.status_url),
    ...(row.status_batch == null ? {} : { status_batch: json<BatchSettings>(row.status_batch) }),
    forwarding: row.forwarding == null ? undefined : json(row.forwarding),
    ...(row.email_senders == null ? {} : { email_senders: json<string[]>(row.email_senders) }),
    ...(row.email_text_limit == null ? {} : { email_text_limit: Number(row.email_text_limit) }),
    ...(row.api_rate_limit == null ? {} : { api_rate_limit: Number(row.api_rate_limit) }),
    created_at: Number(row.created_at),
  };
}

/** What a sender needs to sign a callback, from a row with the account's signing columns. */
export function signingFromRow(row: Row): Signing {
  return {
    signature_secret: row.signature_secret as string,
    ...previousSecretFromRow(row),
    api_key: row.api_key as string,
    application_id: optional(row.application_id),
  };
}

function previousSecretFromRow(row: Row): Pick<Signing, 'previous_signature_secret' | 'previous_signature_secret_until'> {
  if (row.previous_signature_secret == null) return {};
  return { previous_signature_secret: row.previous_signature_secret as string, previous_signature_secret_until: Number(row.previous_signature_secret_until) };
}

/** The secret columns of an account row (rewriteSecrets). */
export function storedSecretsFromRow(row: Row): StoredSecrets {
  return {
    account_id: row.id as string,
    signature_secret: row.signature_secret as string,
    ...(row.previous_signature_secret == null ? {} : { previous_signature_secret: row.previous_signature_secret as string }),
  };
}

/** An sqs_credentials row: access keys, or a role to assume. */
export function queueCredentialsFromRow(row: Row): QueueCredentials {
  const credentials: SqsCredentials =
    row.role_arn == null
      ? { access_key_id: row.access_key_id as string, secret_access_key: row.secret_access_key as string }
      : { role_arn: row.role_arn as string };
  return { queue_url: row.queue_url as string, credentials };
}

/** The columns of an sqs_credentials row. */
export function queueCredentialsColumns(accountId: string, entry: QueueCredentials) {
  const { credentials } = entry;
  const keys = 'access_key_id' in credentials;
  return {
    account_id: accountId,
    queue_url: entry.queue_url,
    access_key_id: keys ? credentials.access_key_id : null,
    secret_access_key: keys ? credentials.secret_access_key : null,
    role_arn: keys ? null : credentials.role_arn,
  };
}

/** Columns of a message row, derived from the message. */
export function messageColumns(message: Message) {
  return {
    uuid: message.uuid,
    account_id: message.account_id,
    state: message.state,
    terminal: isTerminal(message.channel, message.state) ? 1 : 0,
    expires_at: message.expires_at ?? null,
    provider_ref: message.provider_ref ?? null,
    data: JSON.stringify(message),
    created_at: message.created_at,
    updated_at: message.updated_at,
  };
}

export function messageFromRow(row: Row): Message {
  const message = json<Message>(row.data);
  // provider_ref is set after submission without rewriting the JSON.
  // The JSON was just parsed, so the object is ours to complete (a copy by spread plus a new
  // property would make V8 build a slow object on every transition).
  const providerRef = optional<string>(row.provider_ref);
  if (providerRef) message.provider_ref = providerRef;
  return message;
}

/** A message row joined with its account's routing and signing columns. */
export function contextFromRow(row: Row): MessageContext {
  const message = messageFromRow(row);
  return {
    message,
    account: {
      id: message.account_id,
      status_url: optional(row.account_status_url),
      ...(row.account_status_batch == null ? {} : { status_batch: json<BatchSettings>(row.account_status_batch) }),
      forwarding: row.account_forwarding == null ? undefined : json(row.account_forwarding),
      signing: signingFromRow(row),
    },
    open_lanes: [],
  };
}

/** What a new callback's outbox row and its claimed form share, unchanged. */
function newCallbackCore(callback: NewCallback) {
  return {
    id: callback.id,
    account_id: callback.account_id,
    message_uuid: callback.message_uuid,
    event_seq: callback.event_seq,
    status: callback.status,
    destination_key: callback.destination_key,
    format: callback.format,
    content_type: callback.content_type,
    body: callback.body,
    created_at: callback.created_at,
  };
}

/*
 * The two builders below add fields to newCallbackCore's fresh object. A spread of the callback
 * into a literal that then grows made V8 build slow objects instead (about 20 µs per callback).
 */

/** Columns of a new outbox row: pending, or already claimed when handed straight to dispatch. */
export function newCallbackColumns(callback: NewCallback) {
  const { lease, blocked, headline } = callback;
  return Object.assign(newCallbackCore(callback), {
    destination: JSON.stringify(callback.destination),
    headline_channel: headline.channel,
    headline_to: headline.to,
    headline_in_reply_to: headline.in_reply_to ?? null,
    state: lease ? 'inflight' : 'pending',
    attempts: lease ? 1 : 0,
    due_at: lease ? lease.until : blocked ? null : callback.created_at,
    lease_token: lease?.token ?? null,
  });
}

/** A new callback written already claimed (it has a lease), as a sender sees a claimed one. */
export function claimedFromNew(callback: NewCallback, signing: Signing): ClaimedCallback {
  const lease = callback.lease!;
  return Object.assign(newCallbackCore(callback), {
    destination: callback.destination,
    headline: callback.headline,
    state: 'inflight' as const,
    attempts: 1,
    due_at: lease.until,
    lease_token: lease.token,
    signing,
  });
}

export function eventColumns(event: StatusEvent) {
  const { message_uuid, seq, status, occurred_at, recorded_at, source, forwarded, implied, ...details } = event;
  return {
    message_uuid,
    seq,
    status,
    occurred_at,
    recorded_at,
    source,
    forwarded: forwarded ? 1 : 0,
    implied: implied ? 1 : 0,
    details: Object.keys(details).length ? JSON.stringify(details) : null,
  };
}

export function eventFromRow(row: Row): StatusEvent {
  return {
    message_uuid: row.message_uuid as string,
    seq: Number(row.seq),
    status: row.status as StatusEvent['status'],
    occurred_at: Number(row.occurred_at),
    recorded_at: Number(row.recorded_at),
    source: row.source as string,
    forwarded: Boolean(row.forwarded),
    implied: Boolean(row.implied),
    ...(row.details ? json<object>(row.details) : {}),
  };
}

export function callbackFromRow(row: Row): Callback {
  return {
    id: row.id as string,
    account_id: row.account_id as string,
    message_uuid: row.message_uuid as string,
    event_seq: Number(row.event_seq),
    status: row.status as Callback['status'],
    destination: json(row.destination),
    destination_key: row.destination_key as string,
    format: row.format as Callback['format'],
    content_type: row.content_type as string,
    body: row.body as string,
    headline: headlineFromRow(row),
    state: row.state as CallbackState,
    attempts: Number(row.attempts),
    due_at: row.due_at == null ? undefined : Number(row.due_at),
    created_at: Number(row.created_at),
    last_error: optional(row.last_error),
    delivered_at: row.delivered_at == null ? undefined : Number(row.delivered_at),
  };
}

/** A callback row just claimed under `leaseToken`. */
export function claimedFromRow(row: Row, leaseToken: string, signing: Signing): ClaimedCallback {
  return Object.assign(callbackFromRow(row), { lease_token: leaseToken, signing });
}

/** Rows written before migration 3 have no headline columns filled. */
function headlineFromRow(row: Row): Callback['headline'] {
  if (row.headline_channel == null) return undefined;
  const inReplyTo = optional<string>(row.headline_in_reply_to);
  return { channel: row.headline_channel as string, to: (row.headline_to as string | null) ?? '', ...(inReplyTo ? { in_reply_to: inReplyTo } : {}) };
}

export function attemptFromRow(row: Row): Attempt {
  return {
    callback_id: row.callback_id as string,
    number: Number(row.number),
    started_at: Number(row.started_at),
    duration_ms: Number(row.duration_ms),
    status_code: row.status_code == null ? undefined : Number(row.status_code),
    error: optional(row.error),
    outcome: row.outcome as Attempt['outcome'],
  };
}

/** The earliest due time per destination among new or rescheduled rows, for `destinations`. */
export function earliestByDestination(rows: Array<{ destination_key: string; due_at: number | null }>): Map<string, number> {
  const earliest = new Map<string, number>();
  for (const { destination_key, due_at } of rows) {
    if (due_at === null) continue;
    earliest.set(destination_key, Math.min(due_at, earliest.get(destination_key) ?? Infinity));
  }
  return earliest;
}

/** What an attempt outcome does to its callback row. */
export function callbackUpdateFor(result: { attempt: Attempt; next_attempt_at?: number }) {
  const { outcome, started_at, error, status_code } = result.attempt;
  const state: CallbackState = outcome === 'retry' ? 'pending' : outcome;
  return {
    state,
    due_at: outcome === 'retry' ? (result.next_attempt_at ?? started_at) : started_at,
    last_error: error ?? (status_code !== undefined && outcome !== 'delivered' ? `HTTP ${status_code}` : null),
    delivered_at: outcome === 'delivered' ? started_at + result.attempt.duration_ms : null,
  };
}

export function partFromRow(row: Row): MessagePart {
  const part: MessagePart = {
    message_uuid: row.message_uuid as string,
    part: Number(row.part),
    total: Number(row.total),
    updated_at: Number(row.updated_at),
  };
  if (row.provider_ref != null) part.provider_ref = row.provider_ref as string;
  if (row.outcome != null) part.outcome = row.outcome as MessagePart['outcome'];
  if (row.error_code != null) part.error_code = Number(row.error_code);
  if (row.error_detail != null) part.error_detail = row.error_detail as string;
  return part;
}

export function parkedFromRow(row: Row): ParkedReport {
  return {
    id: row.id as string,
    source: row.source as string,
    reason: row.reason as string,
    ...(row.provider_ref != null ? { provider_ref: row.provider_ref as string } : {}),
    payload: row.payload as string,
    received_at: Number(row.received_at),
    ...(row.applied_at != null ? { applied_at: Number(row.applied_at) } : {}),
  };
}

export function mediaFromRow(row: Row | undefined): Media | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    account_id: row.account_id as string,
    content_type: row.content_type as string,
    bytes: row.bytes as Buffer,
    created_at: Number(row.created_at),
  };
}

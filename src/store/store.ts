/**
 * The one storage interface under every stage. SQLite (embedded default) and PostgreSQL
 * implement it; the conformance suite in test/store-conformance runs against both.
 * All methods are async so a networked store fits; every multi-row write is one transaction.
 */
import type { Message, StatusEvent } from '../model/types.js';
import type { BatchSettings, BodyFormatName, Delivery, Destination, SqsCredentials } from '../model/destination.js';
import type { QueueCredentials } from '../model/forwarding-rules.js';
import type { Status } from '../model/vocabulary.js';
import type { SmppStore } from './smpp.js';
import type { SuiteStore } from './suite.js';

export type { SmppCredential, SmppStore } from './smpp.js';
export type { AccountStats, MessageCursor, MessageFilter, StatusTime, SuiteSession, SuiteStore, SuiteUser } from './suite.js';

export interface Account {
  id: string;
  name: string;
  api_key: string;
  /** Salted SHA-256 of the API secret (intake/accounts.ts): it is only ever checked, never shown again. */
  api_secret_hash: string;
  /**
   * Signs every callback, so it is kept, but sealed at rest (secret-box.ts, sealed.ts): the
   * store's users only ever see it in clear.
   */
  signature_secret: string;
  /** The secret before the last rotation; it keeps signing beside the new one until `previous_signature_secret_until` (migration 11). */
  previous_signature_secret?: string;
  previous_signature_secret_until?: number;
  /** Set by `statusrelay account disable`: no login works; pending callbacks still go out (migration 11). */
  disabled_at?: number;
  application_id?: string;
  status_url?: string;
  /** Batched delivery to status_url (migration 17); undefined = one POST per callback. */
  status_batch?: BatchSettings;
  /** The forwarding rules document (routing/forwarding-rules.ts); undefined = defaults. */
  forwarding?: unknown;
  /** Envelope senders allowed to send through the e-mail interface without AUTH (`*@domain` allowed; migration 5). */
  email_senders?: string[];
  /** Most characters of text an e-mail may carry into a message (migration 10); undefined = the channel's limit. */
  email_text_limit?: number;
  /** REST API requests per second (migration 14); undefined = API_RATE_LIMIT. */
  api_rate_limit?: number;
  created_at: number;
}

/**
 * An image a customer interface received as bytes (an e-mail attachment for WhatsApp) and
 * serves to the provider by URL, `GET /v1/media/<id>`: the random id is the capability.
 */
export interface Media {
  id: string;
  account_id: string;
  content_type: string;
  bytes: Buffer;
  created_at: number;
}

/** An access token (websms interface, `Authorization: Bearer`): the token itself is never stored. */
export interface AccessToken {
  id: string;
  account_id: string;
  /** Hex SHA-256 of the token. */
  token_hash: string;
  label?: string;
  created_at: number;
  revoked_at?: number;
}

export type CallbackState = 'pending' | 'inflight' | 'delivered' | 'failed' | 'dead';

/**
 * What senders show beside the body (a mail subject, SQS message attributes), stored with the
 * row so that no sender parses the body back.
 */
export interface CallbackHeadline {
  channel: string;
  /** The number the message was sent to. */
  to: string;
  /**
   * The Message-ID of the mail the message came in as (e-mail interface; migration 5): the e-mail
   * sender then mails a standard delivery or read report threaded under it.
   */
  in_reply_to?: string;
}

/** One outbox row: a status change on its way to one destination. Its id is the `webhook-id`. */
export interface Callback {
  id: string;
  account_id: string;
  message_uuid: string;
  event_seq: number;
  status: Status;
  destination: Destination;
  destination_key: string;
  format: BodyFormatName;
  content_type: string;
  body: string;
  /** Absent on rows written before the headline columns existed (migration 3). */
  headline?: CallbackHeadline;
  state: CallbackState;
  attempts: number;
  /** pending: when the next attempt is due (undefined while its lane is busy); inflight: lease end. */
  due_at?: number;
  created_at: number;
  last_error?: string;
  delivered_at?: number;
}

export interface Attempt {
  callback_id: string;
  number: number;
  started_at: number;
  duration_ms: number;
  status_code?: number;
  error?: string;
  outcome: 'delivered' | 'retry' | 'failed' | 'dead';
}

/** A claimed callback together with what the sender needs to sign it. */
export interface ClaimedCallback extends Callback {
  lease_token: string;
  signing: Signing;
}

/** What a sender needs to sign an account's callbacks. */
export interface Signing {
  signature_secret: string;
  api_key: string;
  application_id?: string;
  /** Signs beside `signature_secret` until `previous_signature_secret_until` (a rotation's grace period). */
  previous_signature_secret?: string;
  previous_signature_secret_until?: number;
}

/** The outcome of one attempt, as dispatch reports it back. */
export interface AttemptResult {
  callback_id: string;
  lease_token: string;
  attempt: Attempt;
  /** For outcome `retry`: when the next attempt is due. */
  next_attempt_at?: number;
}

/** A new outbox row, as routing and formatting produce it. */
export interface NewCallback extends Delivery {
  id: string;
  account_id: string;
  message_uuid: string;
  event_seq: number;
  status: Status;
  destination_key: string;
  content_type: string;
  body: string;
  headline: CallbackHeadline;
  created_at: number;
  /** An earlier callback of its lane (message + destination) is unfinished: it waits for it. */
  blocked?: boolean;
  /** Set when this process's dispatcher takes the callback at once: stored already claimed. */
  lease?: { token: string; until: number };
}

/** What one provider report (or TTL expiry) changes, written atomically. */
export interface Transition {
  message: Message;
  events: StatusEvent[];
  callbacks: NewCallback[];
  /** Failover items created by this change, to be handed to carriage after commit. */
  started: Message[];
}

/** A message as the lifecycle sees it inside a transition: with its account's routing settings. */
export interface MessageContext {
  message: Message;
  account: Pick<Account, 'id' | 'status_url' | 'status_batch' | 'forwarding'> & { signing: Signing };
  /** Destination keys this message still has unfinished callbacks for (their lanes are busy). */
  open_lanes: string[];
}

/**
 * One part of a message as its provider knows it (a multipart SMS has one per segment, each with
 * its own SMSC message id). `outcome` is the part's final status once its receipt arrived.
 */
export interface MessagePart {
  message_uuid: string;
  /** 1-based. */
  part: number;
  total: number;
  provider_ref?: string;
  outcome?: 'delivered' | 'rejected';
  error_code?: number;
  /** The provider's own error cause, as written (migration 9). */
  error_detail?: string;
  updated_at: number;
}

/** Provider input that could not be applied (unknown id, unreadable), kept for operators. */
export interface ParkedReport {
  id: string;
  /** The connector it came from: smpp, whatsapp, upstream. */
  source: string;
  reason: string;
  provider_ref?: string;
  /** The input as received, as text. */
  payload: string;
  received_at: number;
  /** When it was applied after its id became known (migration 9). */
  applied_at?: number;
}

/** Which parked reports to take: a connector's unknown-id reports for ids now known. */
export interface ParkedQuery {
  source: string;
  /** Ids compared exactly. */
  refs: string[];
  /** Ids compared without leading zeros, in lower case (SMSC ids written in another form). */
  refKeys: string[];
}

export interface ClaimOptions {
  now: number;
  /** Slots to fill: a callback to a batched key takes 1 / its items per attempt of one. */
  limit: number;
  leaseMs: number;
  /**
   * At most this many attempts per destination in one claim: callbacks, or for a batched key
   * that many times its items per attempt (model/destination.ts itemsPerAttempt).
   */
  perKey: number;
  /** Destinations already at their concurrency limit in this process. */
  excludeKeys: string[];
  /** Absent: every destination may be claimed. */
  restriction?: ClaimRestriction;
}

/**
 * For destinations that only some nodes serve (an SMPP session bound to one node): a key that
 * starts with one of `keyPrefixes` is claimed only if it is one of `keys`. Keys under none of
 * the prefixes are claimed as usual.
 */
export interface ClaimRestriction {
  keyPrefixes: string[];
  keys: string[];
}

/**
 * A client's Idempotency-Key on a send (POST /v1/messages): stored with the message it created,
 * in the same transaction, so a retried request finds the first answer and stores nothing new.
 */
export interface IdempotencyKey {
  account_id: string;
  key: string;
  /** SHA-256 of the request body: the same key with another body is an error. */
  request_hash: string;
  message_uuid: string;
  created_at: number;
}

/** How long an Idempotency-Key keeps its first answer (then retention deletes it). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What is stored together with new messages, in their transaction. */
export interface NewMessageExtras {
  media?: Media[];
  /** Keys created before `expired_before` may be taken again; a fresh one throws IdempotencyKeyTaken. */
  idempotency?: { keys: IdempotencyKey[]; expired_before: number };
}

/** insertMessages found a fresh Idempotency-Key already stored (a concurrent retry won): nothing was stored. */
export class IdempotencyKeyTaken extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} is already stored`);
  }
}

export interface PurgeCutoffs {
  finishedBefore: number;
  keysBefore: number;
  limit: number;
}

export interface PurgeCounts {
  messages: number;
  media: number;
  parkedReports: number;
  idempotencyKeys: number;
}

/** Fields an account update may set; absent = unchanged, null = cleared. */
export interface AccountPatch {
  status_url?: string | null;
  status_batch?: BatchSettings | null;
  forwarding?: unknown;
  email_senders?: string[];
  email_text_limit?: number | null;
  api_rate_limit?: number | null;
  api_secret_hash?: string;
  /** A time disables the account, null enables it again. */
  disabled_at?: number | null;
  /**
   * Replaces all of the account's SQS destination credentials (migration 16), in the same
   * transaction as `forwarding`; the secret access keys are sealed at rest.
   */
  sqs_credentials?: QueueCredentials[];
}

/** A stored SQS secret access key (sealed, or in clear when written without the sealing wrapper). */
export interface StoredSqsSecret {
  account_id: string;
  queue_url: string;
  secret_access_key: string;
}

/** An account's secret columns as stored (sealed, or in clear in rows older than sealing). */
export interface StoredSecrets {
  account_id: string;
  signature_secret: string;
  previous_signature_secret?: string;
}

/** The store as the SQLite and PostgreSQL implementations provide it: secrets pass through as given. */
export interface RawStore extends StoreBase {
  /**
   * Calls `rewrite` for every account's secrets inside one transaction and writes what it
   * returns (undefined = unchanged); returns how many accounts changed.
   */
  rewriteSecrets(rewrite: (secrets: StoredSecrets) => StoredSecrets | undefined): Promise<number>;
  /** The same for every stored SQS secret access key: `rewrite` returns the value to write, or undefined. */
  rewriteSqsSecrets(rewrite: (secret: StoredSqsSecret) => string | undefined): Promise<number>;
}

/** The store every part uses (open.ts): secrets are sealed on the way in and opened on the way out (sealed.ts). */
export interface Store extends StoreBase {
  /**
   * Seals every stored secret that is in clear or sealed under an older key (the relay calls it
   * at start, `statusrelay secrets rotate-key` after adding a key): the current key's id and how
   * many accounts changed.
   */
  sealSecrets(): Promise<{ key_id: string; accounts_resealed: number; sqs_credentials_resealed: number }>;
}

interface StoreBase extends SmppStore, SuiteStore {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  createAccount(account: Account): Promise<void>;
  findAccountByApiKey(apiKey: string): Promise<Account | undefined>;
  getAccount(id: string): Promise<Account | undefined>;
  /** Accounts that registered envelope senders for the e-mail interface (usually few). */
  listEmailSenderAccounts(): Promise<Account[]>;
  updateAccount(id: string, patch: AccountPatch): Promise<void>;
  /**
   * Makes `next` the signature secret; the current one signs beside it until `previousUntil`.
   * False when there is no such account.
   */
  rotateSignatureSecret(id: string, next: string, previousUntil: number): Promise<boolean>;
  /** The account's SQS destination credentials, one set per queue URL (migration 16). */
  listSqsCredentials(accountId: string): Promise<QueueCredentials[]>;
  /** The credentials the account gave for this queue, if any. */
  findSqsCredentials(accountId: string, queueUrl: string): Promise<SqsCredentials | undefined>;


  createAccessToken(token: AccessToken): Promise<void>;
  /** The account of an access token that is not revoked. */
  findAccountByAccessToken(tokenHash: string): Promise<Account | undefined>;
  /** The account's tokens, newest first. */
  listAccessTokens(accountId: string): Promise<AccessToken[]>;
  /** Revokes one of the account's tokens; false when it has no such unrevoked token. */
  revokeAccessToken(accountId: string, id: string, now: number): Promise<boolean>;

  /** Stores new messages (the first item of a workflow), and what comes with them, in one transaction. */
  insertMessages(messages: Message[], extras?: NewMessageExtras): Promise<void>;
  getMedia(id: string): Promise<Media | undefined>;
  /**
   * Retention, one small transaction: deletes up to `limit` finished messages last changed before
   * `finishedBefore` (none with an unfinished callback) with their events, callbacks, attempts and
   * parts; up to `limit` media and parked reports older than that; up to `limit` Idempotency-Keys
   * older than `keysBefore`. Returns how many rows of each it deleted.
   */
  purge(cutoffs: PurgeCutoffs): Promise<PurgeCounts>;
  /** The account's key if it was stored at or after `notBefore`. */
  findIdempotencyKey(accountId: string, key: string, notBefore: number): Promise<IdempotencyKey | undefined>;
  getMessage(uuid: string): Promise<Message | undefined>;
  setProviderRef(uuid: string, providerRef: string): Promise<void>;
  findByProviderRef(providerRef: string): Promise<Message | undefined>;
  /**
   * Writes message parts; fields left undefined keep their stored value, so the submit
   * answer (provider_ref) and an early receipt (outcome) can land in either order.
   */
  saveMessageParts(parts: MessagePart[]): Promise<void>;
  listMessageParts(uuid: string): Promise<MessagePart[]>;
  findMessagePart(providerRef: string): Promise<MessagePart | undefined>;
  /** A part whose provider_ref without leading zeros, in lower case, is `key` (ids an SMSC rewrote). */
  findMessagePartByRefKey(key: string): Promise<MessagePart | undefined>;
  parkReport(report: ParkedReport): Promise<void>;
  /** Parked reports, newest first. */
  listParkedReports(limit: number): Promise<ParkedReport[]>;
  /**
   * Marks the not yet applied unknown-id reports matching `query` as applied at `now` and returns
   * them, oldest first. Atomic: of two nodes taking at once, each report goes to one.
   */
  takeParkedReports(query: ParkedQuery, now: number): Promise<ParkedReport[]>;
  /** Messages not in a terminal state, oldest first: carriage resumes them after a restart. */
  listOpen(limit: number, after?: Pick<Message, 'created_at' | 'uuid'>): Promise<Message[]>;
  /** Messages not yet delivered (accepted or submitted) whose TTL ran out by `now`. */
  listExpired(now: number, limit: number): Promise<Message[]>;

  /**
   * Reads the named messages (locked against concurrent transitions), lets `decide` compute
   * the transitions from them, and writes every returned transition in the same transaction.
   */
  transition(uuids: string[], decide: (contexts: Map<string, MessageContext>) => Transition[]): Promise<Transition[]>;

  listEvents(uuid: string): Promise<StatusEvent[]>;
  listCallbacks(uuid: string): Promise<Array<Callback & { attempts_log: Attempt[] }>>;
  getCallback(id: string): Promise<Callback | undefined>;

  claimDueCallbacks(options: ClaimOptions): Promise<ClaimedCallback[]>;
  /**
   * Writes attempt outcomes; results whose lease was lost are ignored. Returns how many callbacks
   * it made due: retries rescheduled, and the next of each lane it finished.
   */
  recordAttempts(results: AttemptResult[]): Promise<number>;
  /** Makes a finished callback due again now (same id, so the same `webhook-id`). */
  replayCallback(id: string, accountId: string, now: number): Promise<boolean>;
  /** The account's dead-lettered callbacks, newest first (the suite's dead letters page). */
  listDeadLetters(accountId: string, limit: number): Promise<Callback[]>;
  /** Replays every dead-lettered callback of the account created since `since`. */
  replayDeadLetters(accountId: string, since: number, now: number): Promise<number>;
  /**
   * Hands claimed callbacks back to the outbox, due at `now`, as if never claimed (the claim's
   * attempt is not counted). Only rows still held by `leaseToken` change; returns how many.
   */
  returnClaims(ids: string[], leaseToken: string, now: number): Promise<number>;
  /**
   * Releases callbacks left waiting although their lane is free (possible when two nodes
   * finish and insert at the same moment); returns how many.
   */
  releaseWaiting(now: number): Promise<number>;
  /** Callbacks not yet finished (pending or in flight). */
  outboxDepth(): Promise<number>;
  /** When the next pending callback is due, if any. */
  nextDueAt(): Promise<number | undefined>;
  /**
   * Calls `listener` when another process may have written outbox rows (PostgreSQL: LISTEN/NOTIFY),
   * so its dispatcher wakes instead of waiting for the poll. Returns the unsubscribe function.
   * Absent where one process owns the database (SQLite): its own writes wake it directly.
   */
  onOutboxChange?(listener: () => void): () => void;
}

export type { Delivery };

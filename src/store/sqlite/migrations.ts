/**
 * Numbered, append-only migrations for the SQLite store. Never edit a released entry: add one.
 * The ledger table `migrations` records which ran; they run inside one IMMEDIATE transaction,
 * so two processes starting together apply each exactly once.
 */
import { SQLITE_SMPP_MIGRATION } from '../smpp-migration.js';

export const SQLITE_MIGRATIONS: ReadonlyArray<{ id: number; sql: string }> = [
  {
    id: 1,
    sql: `
CREATE TABLE accounts (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  api_key          TEXT NOT NULL UNIQUE,
  api_secret_hash  TEXT NOT NULL,
  signature_secret TEXT NOT NULL,
  application_id   TEXT,
  status_url       TEXT,
  forwarding       TEXT,
  created_at       INTEGER NOT NULL
);

-- The message itself lives in 'data' (JSON); the columns beside it are what queries filter on.
CREATE TABLE messages (
  uuid         TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  state        TEXT NOT NULL,
  terminal     INTEGER NOT NULL,
  expires_at   INTEGER,
  provider_ref TEXT,
  data         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
-- Open = not terminal: a provider may still report on it.
CREATE INDEX messages_open ON messages(created_at) WHERE terminal = 0;
CREATE INDEX messages_expiry ON messages(expires_at) WHERE terminal = 0 AND expires_at IS NOT NULL;
CREATE INDEX messages_provider_ref ON messages(provider_ref) WHERE provider_ref IS NOT NULL;

CREATE TABLE status_events (
  message_uuid TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  status       TEXT NOT NULL,
  occurred_at  INTEGER NOT NULL,
  recorded_at  INTEGER NOT NULL,
  source       TEXT NOT NULL,
  forwarded    INTEGER NOT NULL,
  implied      INTEGER NOT NULL,
  details      TEXT,
  PRIMARY KEY (message_uuid, seq)
) WITHOUT ROWID;

-- The outbox. due_at: next attempt (pending), lease end (inflight), or NULL while an earlier
-- callback of the same message to the same destination (its lane) is unfinished.
CREATE TABLE callbacks (
  id              TEXT PRIMARY KEY,
  account_id      TEXT NOT NULL,
  message_uuid    TEXT NOT NULL,
  event_seq       INTEGER NOT NULL,
  status          TEXT NOT NULL,
  destination     TEXT NOT NULL,
  destination_key TEXT NOT NULL,
  format          TEXT NOT NULL,
  content_type    TEXT NOT NULL,
  body            TEXT NOT NULL,
  state           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  due_at          INTEGER,
  lease_token     TEXT,
  created_at      INTEGER NOT NULL,
  last_error      TEXT,
  delivered_at    INTEGER
);
CREATE INDEX callbacks_due ON callbacks(destination_key, due_at) WHERE state IN ('pending', 'inflight');
CREATE INDEX callbacks_waiting ON callbacks(created_at) WHERE state = 'pending' AND due_at IS NULL;
CREATE INDEX callbacks_lane ON callbacks(message_uuid, destination_key, event_seq) WHERE state IN ('pending', 'inflight');
CREATE INDEX callbacks_message ON callbacks(message_uuid);
CREATE INDEX callbacks_dead ON callbacks(account_id, created_at) WHERE state = 'dead';

-- One row per destination that has had work: when its earliest unfinished callback is due.
-- Claims pick destinations here first, so a saturated or dead destination costs one row to skip.
CREATE TABLE destinations (
  key         TEXT PRIMARY KEY,
  next_due_at INTEGER
);
CREATE INDEX destinations_due ON destinations(next_due_at) WHERE next_due_at IS NOT NULL;

CREATE TABLE attempts (
  callback_id TEXT NOT NULL,
  number      INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error       TEXT,
  outcome     TEXT NOT NULL,
  PRIMARY KEY (callback_id, number)
) WITHOUT ROWID;
`,
  },
  {
    id: 2,
    sql: `
-- Provider parts of a message: the SMSC message id of every SMS segment and its final outcome.
CREATE TABLE message_parts (
  message_uuid TEXT NOT NULL,
  part         INTEGER NOT NULL,
  total        INTEGER NOT NULL,
  provider_ref TEXT,
  outcome      TEXT,
  error_code   INTEGER,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (message_uuid, part)
) WITHOUT ROWID;
CREATE INDEX message_parts_ref ON message_parts(provider_ref) WHERE provider_ref IS NOT NULL;

-- Provider input that could not be applied, kept for operators instead of being dropped.
CREATE TABLE parked_reports (
  id           TEXT PRIMARY KEY,
  source       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  provider_ref TEXT,
  payload      TEXT NOT NULL,
  received_at  INTEGER NOT NULL
);
CREATE INDEX parked_reports_time ON parked_reports(received_at);
`,
  },
  {
    id: 3,
    sql: `
-- What senders show beside the body (mail subject, SQS attributes); NULL on older rows.
ALTER TABLE callbacks ADD COLUMN headline_channel TEXT;
ALTER TABLE callbacks ADD COLUMN headline_to TEXT;
`,
  },
  { id: 4, sql: SQLITE_SMPP_MIGRATION },
  {
    id: 5,
    sql: `
-- The e-mail interface: envelope senders an account allows (JSON list), and the Message-ID a
-- receipt mail threads under (NULL for everything else).
ALTER TABLE accounts ADD COLUMN email_senders TEXT;
ALTER TABLE callbacks ADD COLUMN headline_in_reply_to TEXT;
`,
  },
  {
    id: 6,
    sql: `
-- Access tokens of the websms interface (Authorization: Bearer): only a hash is kept.
CREATE TABLE access_tokens (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  token_hash  TEXT NOT NULL UNIQUE,
  label       TEXT,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX access_tokens_account ON access_tokens(account_id);
`,
  },
  {
    id: 7,
    sql: `
-- The SMPP interface's rule formats became \`receipt\` (the standard deliver_sm receipt) and
-- \`json\` (the receipt with the JSON callback in message_payload). Until now every format
-- meant the standard receipt, so saved rules keep meaning it.
UPDATE accounts SET forwarding = json_set(forwarding, '$.sms.smpp.format', 'receipt')
 WHERE json_extract(forwarding, '$.sms.smpp.type') = 'interface';
`,
  },
  {
    id: 8,
    sql: `
-- The Messaging Suite: its users (per account) and their sessions (only a hash of the token).
CREATE TABLE suite_users (
  id                   TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES accounts(id),
  email                TEXT NOT NULL UNIQUE,
  password_hash        TEXT NOT NULL,
  must_change_password INTEGER NOT NULL,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE TABLE suite_sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES suite_users(id),
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX suite_sessions_user ON suite_sessions(user_id);
-- The suite's "Sent" list: an account's messages newest first (keyset paging), searched by
-- number or client_ref (uuid last, so these serve the list's order too).
CREATE INDEX messages_account_time ON messages(account_id, created_at, uuid);
CREATE INDEX messages_account_to ON messages(account_id, json_extract(data, '$.to'), created_at, uuid);
CREATE INDEX messages_account_client_ref ON messages(account_id, json_extract(data, '$.client_ref'), created_at, uuid);
`,
  },
  {
    id: 9,
    sql: `
-- SMSC ids written in another form in receipts (leading zeros, upper case) are found by this key.
-- A part's error cause as the SMSC wrote it (err:, network_error_code), shown in error.detail.
-- Parked reports for an id that became known later are applied once, then marked applied.
ALTER TABLE parked_reports ADD COLUMN applied_at INTEGER;
CREATE INDEX parked_reports_ref ON parked_reports(provider_ref) WHERE applied_at IS NULL;
CREATE INDEX parked_reports_ref_key ON parked_reports(lower(ltrim(provider_ref, '0'))) WHERE applied_at IS NULL;
ALTER TABLE message_parts ADD COLUMN error_detail TEXT;
CREATE INDEX message_parts_ref_key ON message_parts(lower(ltrim(provider_ref, '0'))) WHERE provider_ref IS NOT NULL;
`,
  },
  {
    id: 10,
    sql: `
-- The e-mail interface: images attached for WhatsApp, served to the provider by URL, and the
-- account's own limit on the text of a mail (NULL = the channel's limit).
CREATE TABLE media (
  id           TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  content_type TEXT NOT NULL,
  bytes        BLOB NOT NULL,
  created_at   INTEGER NOT NULL
);
ALTER TABLE accounts ADD COLUMN email_text_limit INTEGER;
`,
  },
  {
    id: 11,
    sql: `
-- Secret rotation and disabled accounts. The previous signature secret signs beside the new one
-- until previous_signature_secret_until. Secrets in clear are sealed by the application at start.
ALTER TABLE accounts ADD COLUMN previous_signature_secret TEXT;
ALTER TABLE accounts ADD COLUMN previous_signature_secret_until INTEGER;
ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;
`,
  },
  {
    id: 12,
    sql: `
-- Idempotency-Key on POST /v1/messages: the key, a hash of the body and the message it made.
CREATE TABLE idempotency_keys (
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  message_uuid TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
`,
  },
  {
    id: 13,
    sql: `
-- Retention finds finished messages by their last change.
CREATE INDEX messages_finished ON messages(updated_at) WHERE terminal = 1;
CREATE INDEX media_created ON media(created_at);
`,
  },
  {
    id: 14,
    sql: `
-- REST API requests per second of an account (NULL = the API_RATE_LIMIT setting).
ALTER TABLE accounts ADD COLUMN api_rate_limit INTEGER;
`,
  },
  {
    id: 15,
    sql: `
-- Bound SMPP customer sessions on every node, on leases their node renews, so an account's
-- session limit holds across nodes and a dead node's sessions expire.
CREATE TABLE smpp_sessions (
  id         TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  system_id  TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX smpp_sessions_account ON smpp_sessions(account_id);
`,
  },
  {
    id: 16,
    sql: `
-- Credentials of an account's SQS destinations, one set per queue: access keys (the secret
-- sealed by the application) or a role to assume. The forwarding document shows only (set).
CREATE TABLE sqs_credentials (
  account_id        TEXT NOT NULL REFERENCES accounts(id),
  queue_url         TEXT NOT NULL,
  access_key_id     TEXT,
  secret_access_key TEXT,
  role_arn          TEXT,
  PRIMARY KEY (account_id, queue_url)
);
`,
  },
  {
    id: 17,
    sql: `
-- Batched delivery to the account's status URL (PATCH /v1/account status_batch): a JSON object
-- {max_items, max_wait_ms}; NULL = one POST per callback.
ALTER TABLE accounts ADD COLUMN status_batch TEXT;
`,
  },
  {
    id: 18,
    sql: `
-- The outbox depth (callbacks pending or in flight), kept by triggers: counting it took 0.4 s
-- behind a backlog of a million, at every metrics scrape, in a process that does nothing else
-- meanwhile. One row; SQLite writes one transaction at a time anyway.
CREATE TABLE outbox_depth (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT INTO outbox_depth (id, n) SELECT 1, count(*) FROM callbacks WHERE state IN ('pending', 'inflight');
CREATE TRIGGER callbacks_depth_insert AFTER INSERT ON callbacks WHEN new.state IN ('pending', 'inflight')
BEGIN UPDATE outbox_depth SET n = n + 1; END;
CREATE TRIGGER callbacks_depth_delete AFTER DELETE ON callbacks WHEN old.state IN ('pending', 'inflight')
BEGIN UPDATE outbox_depth SET n = n - 1; END;
CREATE TRIGGER callbacks_depth_update AFTER UPDATE OF state ON callbacks
  WHEN (old.state IN ('pending', 'inflight')) <> (new.state IN ('pending', 'inflight'))
BEGIN UPDATE outbox_depth SET n = n + CASE WHEN new.state IN ('pending', 'inflight') THEN 1 ELSE -1 END; END;
`,
  },
  {
    id: 20,
    sql: `
-- One index over every callback's lane instead of two (the open lanes, and all of a message's
-- callbacks): each new callback writes one index entry fewer, and finishing one leaves the
-- index alone, where the partial index took its entry out. A message has a few callbacks, so
-- the open ones are found by reading all of them.
DROP INDEX callbacks_lane;
DROP INDEX callbacks_message;
CREATE INDEX callbacks_lane ON callbacks(message_uuid, destination_key, event_seq);
`,
  },
];

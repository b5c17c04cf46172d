/**
 * Numbered, append-only migrations for the PostgreSQL store. Never edit a released entry: add one.
 * The ledger table `migrations` records which ran. database.ts applies them in one transaction
 * under an advisory lock, so several nodes starting together apply each exactly once.
 *
 * The columns are those of the SQLite store (rows.ts maps both): epoch milliseconds are bigint,
 * JSON documents jsonb, flags boolean.
 */
import { POSTGRES_SMPP_MIGRATION } from '../smpp-migration.js';

export const POSTGRES_MIGRATIONS: ReadonlyArray<{ id: number; sql: string }> = [
  {
    id: 1,
    sql: `
CREATE TABLE accounts (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  api_key          text NOT NULL UNIQUE,
  api_secret_hash  text NOT NULL,
  signature_secret text NOT NULL,
  application_id   text,
  status_url       text,
  forwarding       jsonb,
  created_at       bigint NOT NULL
);

-- The message itself lives in 'data'; the columns beside it are what queries filter on.
CREATE TABLE messages (
  uuid         text PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts(id),
  state        text NOT NULL,
  terminal     boolean NOT NULL,
  expires_at   bigint,
  provider_ref text,
  data         jsonb NOT NULL,
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL
);
-- Open = not terminal: a provider may still report on it.
CREATE INDEX messages_open ON messages(created_at, uuid) WHERE NOT terminal;
CREATE INDEX messages_expiry ON messages(expires_at) WHERE NOT terminal AND expires_at IS NOT NULL;
CREATE INDEX messages_provider_ref ON messages(provider_ref) WHERE provider_ref IS NOT NULL;

CREATE TABLE status_events (
  message_uuid text NOT NULL,
  seq          integer NOT NULL,
  status       text NOT NULL,
  occurred_at  bigint NOT NULL,
  recorded_at  bigint NOT NULL,
  source       text NOT NULL,
  forwarded    boolean NOT NULL,
  implied      boolean NOT NULL,
  details      jsonb,
  PRIMARY KEY (message_uuid, seq)
);

-- The outbox. due_at: next attempt (pending), lease end (inflight), or NULL while an earlier
-- callback of the same message to the same destination (its lane) is unfinished.
CREATE TABLE callbacks (
  id              text PRIMARY KEY,
  account_id      text NOT NULL,
  message_uuid    text NOT NULL,
  event_seq       integer NOT NULL,
  status          text NOT NULL,
  destination     jsonb NOT NULL,
  destination_key text NOT NULL,
  format          text NOT NULL,
  content_type    text NOT NULL,
  body            text NOT NULL,
  state           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  due_at          bigint,
  lease_token     text,
  created_at      bigint NOT NULL,
  last_error      text,
  delivered_at    bigint
);
CREATE INDEX callbacks_due ON callbacks(due_at) WHERE state IN ('pending', 'inflight');
CREATE INDEX callbacks_waiting ON callbacks(created_at) WHERE state = 'pending' AND due_at IS NULL;
CREATE INDEX callbacks_lane ON callbacks(message_uuid, destination_key, event_seq) WHERE state IN ('pending', 'inflight');
CREATE INDEX callbacks_message ON callbacks(message_uuid);
CREATE INDEX callbacks_dead ON callbacks(account_id, created_at) WHERE state = 'dead';

CREATE TABLE attempts (
  callback_id text NOT NULL,
  number      integer NOT NULL,
  started_at  bigint NOT NULL,
  duration_ms integer NOT NULL,
  status_code integer,
  error       text,
  outcome     text NOT NULL,
  PRIMARY KEY (callback_id, number)
);
`,
  },
  {
    id: 2,
    sql: `
-- Provider parts of a message: the SMSC message id of every SMS segment and its final outcome.
CREATE TABLE message_parts (
  message_uuid text NOT NULL,
  part         integer NOT NULL,
  total        integer NOT NULL,
  provider_ref text,
  outcome      text,
  error_code   integer,
  updated_at   bigint NOT NULL,
  PRIMARY KEY (message_uuid, part)
);
CREATE INDEX message_parts_ref ON message_parts(provider_ref) WHERE provider_ref IS NOT NULL;

-- Provider input that could not be applied, kept for operators instead of being dropped.
CREATE TABLE parked_reports (
  id           text PRIMARY KEY,
  source       text NOT NULL,
  reason       text NOT NULL,
  provider_ref text,
  payload      text NOT NULL,
  received_at  bigint NOT NULL
);
CREATE INDEX parked_reports_time ON parked_reports(received_at);
`,
  },
  {
    id: 3,
    sql: `
-- What senders show beside the body (mail subject, SQS attributes); NULL on older rows.
ALTER TABLE callbacks ADD COLUMN headline_channel text, ADD COLUMN headline_to text;
`,
  },
  { id: 4, sql: POSTGRES_SMPP_MIGRATION },
  {
    id: 5,
    sql: `
-- The e-mail interface: envelope senders an account allows, and the Message-ID a receipt mail
-- threads under (NULL for everything else).
ALTER TABLE accounts ADD COLUMN email_senders jsonb;
ALTER TABLE callbacks ADD COLUMN headline_in_reply_to text;
`,
  },
  {
    id: 6,
    sql: `
-- Access tokens of the websms interface (Authorization: Bearer): only a hash is kept.
CREATE TABLE access_tokens (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts(id),
  token_hash  text NOT NULL UNIQUE,
  label       text,
  created_at  bigint NOT NULL,
  revoked_at  bigint
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
UPDATE accounts SET forwarding = jsonb_set(forwarding, '{sms,smpp,format}', '"receipt"')
 WHERE forwarding #>> '{sms,smpp,type}' = 'interface';
`,
  },
  {
    id: 8,
    sql: `
-- The Messaging Suite: its users (per account) and their sessions (only a hash of the token).
CREATE TABLE suite_users (
  id                   text PRIMARY KEY,
  account_id           text NOT NULL REFERENCES accounts(id),
  email                text NOT NULL UNIQUE,
  password_hash        text NOT NULL,
  must_change_password boolean NOT NULL,
  created_at           bigint NOT NULL,
  updated_at           bigint NOT NULL
);
CREATE TABLE suite_sessions (
  token_hash  text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES suite_users(id),
  csrf_token  text NOT NULL,
  created_at  bigint NOT NULL,
  expires_at  bigint NOT NULL
);
CREATE INDEX suite_sessions_user ON suite_sessions(user_id);
-- The suite's "Sent" list: an account's messages newest first (keyset paging), searched by
-- number or client_ref (uuid last, so these serve the list's order too).
CREATE INDEX messages_account_time ON messages(account_id, created_at, uuid);
CREATE INDEX messages_account_to ON messages(account_id, (data->>'to'), created_at, uuid);
CREATE INDEX messages_account_client_ref ON messages(account_id, (data->>'client_ref'), created_at, uuid);
`,
  },
  {
    id: 9,
    sql: `
-- SMSC ids written in another form in receipts (leading zeros, upper case) are found by this key.
-- A part's error cause as the SMSC wrote it (err:, network_error_code), shown in error.detail.
-- Parked reports for an id that became known later are applied once, then marked applied.
ALTER TABLE parked_reports ADD COLUMN applied_at bigint;
CREATE INDEX parked_reports_ref ON parked_reports(provider_ref) WHERE applied_at IS NULL;
CREATE INDEX parked_reports_ref_key ON parked_reports(lower(ltrim(provider_ref, '0'))) WHERE applied_at IS NULL;
ALTER TABLE message_parts ADD COLUMN error_detail text;
CREATE INDEX message_parts_ref_key ON message_parts(lower(ltrim(provider_ref, '0'))) WHERE provider_ref IS NOT NULL;
`,
  },
  {
    id: 10,
    sql: `
-- The e-mail interface: images attached for WhatsApp, served to the provider by URL, and the
-- account's own limit on the text of a mail (NULL = the channel's limit).
CREATE TABLE media (
  id           text PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts(id),
  content_type text NOT NULL,
  bytes        bytea NOT NULL,
  created_at   bigint NOT NULL
);
ALTER TABLE accounts ADD COLUMN email_text_limit integer;
`,
  },
  {
    id: 11,
    sql: `
-- Secret rotation and disabled accounts. The previous signature secret signs beside the new one
-- until previous_signature_secret_until. Secrets in clear are sealed by the application at start.
ALTER TABLE accounts ADD COLUMN previous_signature_secret text;
ALTER TABLE accounts ADD COLUMN previous_signature_secret_until bigint;
ALTER TABLE accounts ADD COLUMN disabled_at bigint;
`,
  },
  {
    id: 12,
    sql: `
-- Idempotency-Key on POST /v1/messages: the key, a hash of the body and the message it made.
CREATE TABLE idempotency_keys (
  account_id   text NOT NULL REFERENCES accounts(id),
  key          text NOT NULL,
  request_hash text NOT NULL,
  message_uuid text NOT NULL,
  created_at   bigint NOT NULL,
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
`,
  },
  {
    id: 13,
    sql: `
-- Retention finds finished messages by their last change.
CREATE INDEX messages_finished ON messages(updated_at) WHERE terminal;
CREATE INDEX media_created ON media(created_at);
`,
  },
  {
    id: 14,
    sql: `
-- REST API requests per second of an account (NULL = the API_RATE_LIMIT setting).
ALTER TABLE accounts ADD COLUMN api_rate_limit integer;
`,
  },
  {
    id: 15,
    sql: `
-- Bound SMPP customer sessions on every node, on leases their node renews, so an account's
-- session limit holds across nodes and a dead node's sessions expire.
CREATE TABLE smpp_sessions (
  id         text PRIMARY KEY,
  account_id text NOT NULL,
  system_id  text NOT NULL,
  expires_at bigint NOT NULL
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
  account_id        text NOT NULL REFERENCES accounts(id),
  queue_url         text NOT NULL,
  access_key_id     text,
  secret_access_key text,
  role_arn          text,
  PRIMARY KEY (account_id, queue_url)
);
`,
  },
  {
    id: 17,
    sql: `
-- Batched delivery to the account's status URL (PATCH /v1/account status_batch): a JSON object
-- {max_items, max_wait_ms}; NULL = one POST per callback.
ALTER TABLE accounts ADD COLUMN status_batch jsonb;
`,
  },
  {
    id: 19,
    sql: `
-- Claims go destination by destination (outbox.ts OPEN_DESTINATIONS): ordered by due_at alone,
-- a claim that leaves a destination out walked all of its due rows first, 145 to 455 ms behind
-- a million. Waiting callbacks (due_at NULL) are never claimed, so they stay out of the index.
DROP INDEX callbacks_due;
CREATE INDEX callbacks_due ON callbacks(destination_key, due_at) WHERE state IN ('pending', 'inflight') AND due_at IS NOT NULL;

-- The outbox depth (callbacks pending or in flight), kept by triggers: counting it took 70 to
-- 212 ms behind a backlog of a million, at every metrics scrape. The count is the sum of 64
-- rows, each connection adding to the one of its backend pid: with a single row every writing
-- transaction of every node would wait for the one before to commit. One update per statement,
-- and none when the statement leaves the count as it was (claims, retries).
CREATE TABLE outbox_depth (
  slot integer PRIMARY KEY,
  n    bigint NOT NULL
);
INSERT INTO outbox_depth (slot, n) SELECT s, 0 FROM generate_series(0, 63) AS s;
UPDATE outbox_depth SET n = (SELECT count(*) FROM callbacks WHERE state IN ('pending', 'inflight')) WHERE slot = 0;
CREATE FUNCTION outbox_depth_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added bigint := 0;
  removed bigint := 0;
BEGIN
  IF TG_OP <> 'DELETE' THEN
    SELECT count(*) INTO added FROM new_rows WHERE state IN ('pending', 'inflight');
  END IF;
  IF TG_OP <> 'INSERT' THEN
    SELECT count(*) INTO removed FROM old_rows WHERE state IN ('pending', 'inflight');
  END IF;
  IF added <> removed THEN
    UPDATE outbox_depth SET n = n + added - removed WHERE slot = pg_backend_pid() % 64;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER callbacks_depth_insert AFTER INSERT ON callbacks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_depth_change();
CREATE TRIGGER callbacks_depth_update AFTER UPDATE ON callbacks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_depth_change();
CREATE TRIGGER callbacks_depth_delete AFTER DELETE ON callbacks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_depth_change();
`,
  },
];

/** Migration 4 (SMPP server) for both stores: per-account SMPP credentials. */

export const SQLITE_SMPP_MIGRATION = `
-- SMPP credentials: system_id ≤ 15 and password ≤ 8 characters (SMPP 3.4), password hashed.
CREATE TABLE smpp_credentials (
  account_id    TEXT PRIMARY KEY REFERENCES accounts(id),
  system_id     TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  max_sessions  INTEGER NOT NULL DEFAULT 4,
  submit_rate   INTEGER NOT NULL DEFAULT 100,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
`;

export const POSTGRES_SMPP_MIGRATION = `
-- SMPP credentials: system_id ≤ 15 and password ≤ 8 characters (SMPP 3.4), password hashed.
CREATE TABLE smpp_credentials (
  account_id    text PRIMARY KEY REFERENCES accounts(id),
  system_id     text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  max_sessions  integer NOT NULL DEFAULT 4,
  submit_rate   integer NOT NULL DEFAULT 100,
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL
);
`;

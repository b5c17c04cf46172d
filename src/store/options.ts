/** Which database holds the state (open.ts), the PostgreSQL pool size, how long history is kept, and the keys secrets are sealed with. */
import path from 'node:path';
import { ConfigError, integer, oneOf, type Env } from '../ops/env.js';
import { defaultKeyFile, parseSecretKey, type SecretsConfig } from './secret-keys.js';

export interface StoreConfig {
  databaseUrl: string;
  /** PostgreSQL: connections in each node's pool (the LISTEN connection comes on top). */
  databasePoolSize: number;
  /**
   * SQLite: `full` fsyncs every commit, so nothing acknowledged is lost even to a power cut;
   * `normal` (WAL) survives a process crash only. Commits are grouped, so `full` costs one fsync
   * per batch of requests or reports.
   */
  sqliteSynchronous: SqliteSynchronous;
  /** SQLite's page cache in MiB: a part of the process's memory that fills as the database is read. */
  sqliteCacheMib: number;
  retention: RetentionConfig;
  secrets: SecretsConfig;
}

export const SQLITE_SYNCHRONOUS = ['full', 'normal'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS)[number];

/** How the embedded store opens its file. */
export interface SqliteOptions {
  /** `full` or `normal`: see StoreConfig.sqliteSynchronous. */
  synchronous?: SqliteSynchronous;
  /** The page cache in MiB. */
  cacheMib?: number;
}

/** What the embedded store uses for a setting it is not given. */
export const SQLITE_DEFAULTS: Readonly<Required<SqliteOptions>> = Object.freeze({ synchronous: 'full', cacheMib: 64 });

/** What retention.ts deletes, and how gently. */
export interface RetentionConfig {
  /** Finished messages (and their events, callbacks and attempts) older than this are deleted; 0 = never. */
  days: number;
  /** Messages per transaction, so dispatch never waits long for the database. */
  batch: number;
  /** How often a sweep runs. */
  intervalMs: number;
}

/** Without DATABASE_URL, SQLite in data/statusrelay.db under `cwd`. */
export function readStoreOptions(env: Env, cwd: string): StoreConfig {
  const databaseUrl = env.DATABASE_URL || `file:${path.join(cwd, 'data', 'statusrelay.db')}`;
  if (!/^(file:.|postgres(ql)?:\/\/.)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be file:<path> or postgres://…', databaseUrl);
  }
  return {
    databaseUrl,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, { min: 1 }),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', SQLITE_SYNCHRONOUS, SQLITE_DEFAULTS.synchronous),
    sqliteCacheMib: integer(env, 'SQLITE_CACHE_MIB', SQLITE_DEFAULTS.cacheMib, { min: 1, max: 65_536 }),
    retention: {
      days: integer(env, 'RETENTION_DAYS', 30, { min: 0, max: 3650 }),
      batch: integer(env, 'RETENTION_BATCH', 500, { min: 1, max: 10_000 }),
      intervalMs: integer(env, 'RETENTION_INTERVAL_MS', 60_000, { min: 10 }),
    },
    secrets: readSecretsOptions(env, databaseUrl, cwd),
  };
}

function readSecretsOptions(env: Env, databaseUrl: string, cwd: string): SecretsConfig {
  const must = 'must be 32 bytes written as 64 hex digits or as base64';
  const key = env.SECRETS_KEY || undefined;
  if (key !== undefined && !parseSecretKey(key)) throw new ConfigError('SECRETS_KEY', must);
  const previousKeys = (env.SECRETS_PREVIOUS_KEYS ?? '').split(',').map((text) => text.trim()).filter((text) => text !== '');
  if (previousKeys.some((text) => !parseSecretKey(text))) throw new ConfigError('SECRETS_PREVIOUS_KEYS', `${must}, separated by commas`);
  return { ...(key ? { key } : {}), previousKeys, keyFile: env.SECRETS_KEY_FILE || defaultKeyFile(databaseUrl, cwd) };
}

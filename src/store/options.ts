/** Which database holds the state (open.ts), the PostgreSQL pool size, and the keys secrets are sealed with. */
import path from 'node:path';
import { ConfigError, integer, type Env } from '../ops/env.js';
import { defaultKeyFile, parseSecretKey, type SecretsConfig } from './secret-keys.js';

export interface StoreConfig {
  databaseUrl: string;
  /** PostgreSQL: connections in each node's pool (the LISTEN connection comes on top). */
  databasePoolSize: number;
  secrets: SecretsConfig;
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

/** Which database holds the state (open.ts), and the PostgreSQL pool size. */
import path from 'node:path';
import { ConfigError, integer, type Env } from '../ops/env.js';

export interface StoreConfig {
  databaseUrl: string;
  /** PostgreSQL: connections in each node's pool (the LISTEN connection comes on top). */
  databasePoolSize: number;
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
  };
}

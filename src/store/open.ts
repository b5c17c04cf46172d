import type { Store } from './store.js';
import type { SqliteSynchronous } from './options.js';
import { openSqliteStore } from './sqlite/index.js';
import { openPostgresStore } from './postgres/index.js';

export interface OpenStoreOptions {
  /** PostgreSQL: connections in this process's pool. */
  poolSize?: number;
  /** SQLite: fsync every commit (`full`, the default) or rely on WAL (`normal`); see options.ts. */
  synchronous?: SqliteSynchronous;
}

/** Picks the store from DATABASE_URL: `file:<path>` is SQLite, `postgres://` is PostgreSQL. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('file:')) return openSqliteStore(databaseUrl.slice('file:'.length), options.synchronous);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgresStore(databaseUrl, { poolSize: options.poolSize });
  throw new Error(`DATABASE_URL must start with file: or postgres:// (got ${databaseUrl.replace(/:[^:@/]*@/, ':***@')})`);
}

import type { Store } from './store.js';
import { openSqliteStore } from './sqlite/index.js';

/** Picks the store from DATABASE_URL: `file:<path>` is SQLite, `postgres://` is PostgreSQL. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('file:')) return openSqliteStore(databaseUrl.slice('file:'.length));
  throw new Error(`PostgreSQL store is not available yet (DATABASE_URL=${databaseUrl.replace(/:[^:@/]*@/, ':***@')})`);
}

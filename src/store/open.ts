import type { Store } from './store.js';
import type { SqliteOptions } from './options.js';
import { openSqliteStore } from './sqlite/index.js';
import { openPostgresStore } from './postgres/index.js';
import { sealedStore } from './sealed.js';
import { createSecretBox } from './secret-box.js';
import { defaultKeyFile, loadKeyring, type SecretsConfig } from './secret-keys.js';

export interface OpenStoreOptions {
  /** PostgreSQL: connections in this process's pool. */
  poolSize?: number;
  /** SQLite: fsync every commit (`full`, the default) or rely on WAL (`normal`), and the page cache's size; see options.ts. */
  sqlite?: SqliteOptions;
  /** The keys secrets are sealed with; default: the key file beside the database (secret-keys.ts). */
  secrets?: SecretsConfig;
}

/** Picks the store from DATABASE_URL: `file:<path>` is SQLite, `postgres://` is PostgreSQL. */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const sqlite = databaseUrl.startsWith('file:');
  if (!sqlite && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`DATABASE_URL must start with file: or postgres:// (got ${databaseUrl.replace(/:[^:@/]*@/, ':***@')})`);
  }
  const secrets = options.secrets ?? { previousKeys: [], keyFile: defaultKeyFile(databaseUrl, process.cwd()) };
  // A key file may gain a key while this process runs (rotate-key): values sealed under it still open.
  const box = createSecretBox(loadKeyring(secrets), secrets.key ? undefined : () => loadKeyring(secrets));
  const raw = sqlite ? openSqliteStore(databaseUrl.slice('file:'.length), options.sqlite) : openPostgresStore(databaseUrl, { poolSize: options.poolSize });
  return sealedStore(raw, box);
}

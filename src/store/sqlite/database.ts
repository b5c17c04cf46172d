import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { SQLITE_DEFAULTS, type SqliteOptions } from '../options.js';

export type Db = Database.Database;

/**
 * Opens the database file (creating its folder) with the settings a durable outbox needs. The
 * file holds secrets: it is readable by its owner only (SQLite gives its -wal and -shm files the
 * same permissions); a file made by an older version is narrowed to that at open.
 */
export function openDatabase(file: string, options: SqliteOptions = {}): Db {
  const { synchronous, cacheMib } = { ...SQLITE_DEFAULTS, ...options };
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL at every commit: an acknowledged write survives a power cut. NORMAL
  // survives a process crash only. Callers group commits, so FULL costs one fsync per batch.
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${cacheMib * 1024}`);
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  db.transaction(() => {
    const applied = new Set(db.prepare('SELECT id FROM migrations').all().map((row) => (row as { id: number }).id));
    for (const migration of SQLITE_MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)').run(migration.id, Date.now());
    }
  }).immediate();
}

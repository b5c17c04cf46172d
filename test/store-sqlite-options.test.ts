/** The embedded store opens its file with the settings asked for: fsync per commit and the page cache's size. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/store/sqlite/database.js';
import type { SqliteOptions } from '../src/store/options.js';

// PRAGMA synchronous reads 1 for NORMAL and 2 for FULL; a negative cache_size counts KiB.
const cases: Array<[string, SqliteOptions, { synchronous: number; cache_size: number }]> = [
  ['the defaults', {}, { synchronous: 2, cache_size: -64 * 1024 }],
  ['normal, 16 MiB of cache', { synchronous: 'normal', cacheMib: 16 }, { synchronous: 1, cache_size: -16 * 1024 }],
  ['full, 1 MiB of cache', { synchronous: 'full', cacheMib: 1 }, { synchronous: 2, cache_size: -1024 }],
];

for (const [name, options, expected] of cases) {
  test(name, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-sqlite-options-'));
    const db = openDatabase(path.join(dir, 'store.db'), options);
    try {
      assert.deepEqual(
        { synchronous: db.pragma('synchronous', { simple: true }), cache_size: db.pragma('cache_size', { simple: true }) },
        expected,
      );
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

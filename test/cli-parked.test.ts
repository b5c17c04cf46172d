/** Parked provider reports are visible to operators: `statusrelay parked`. */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open.js';
import { tempDatabaseUrl } from './helpers/relay.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

test('statusrelay parked prints the newest parked reports as JSON lines', async () => {
  const databaseUrl = tempDatabaseUrl();
  const store = await openStore(databaseUrl);
  await store.migrate();
  await store.parkReport({ id: 'p1', source: 'smpp', reason: 'unknown-id: no part', provider_ref: 'AB12', payload: '{}', received_at: 1 });
  await store.parkReport({ id: 'p2', source: 'whatsapp', reason: 'unknown-state: deleted', payload: '{"id":"w"}', received_at: 2 });
  await store.close();

  const run = spawnSync(process.execPath, [CLI, 'parked', '--limit', '5'], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((l) => [l.id, l.source, l.provider_ref]), [['p2', 'whatsapp', undefined], ['p1', 'smpp', 'AB12']]);
});

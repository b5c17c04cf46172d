#!/usr/bin/env node
// Runs the whole compiled test suite once per store: SQLite always, PostgreSQL as well when
// TEST_DATABASE_URL names a server. Prints each run as it goes, then one total line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

// Only *.test.js: the helpers beside them are not tests.
const files = fs.readdirSync('dist/test').filter((name) => name.endsWith('.test.js')).sort().map((name) => `dist/test/${name}`);

const stores = ['sqlite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];
const totals = { passed: 0, failed: 0, skipped: 0 };
let exitFailed = false;

for (const store of stores) {
  process.stdout.write(`\n# ---- test suite on ${store} ----\n`);
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
    env: { ...process.env, TEST_STORE: store },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk).slice(-4096);
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tail)?.[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  totals.skipped += count('skipped');
  if (code !== 0) exitFailed = true;
}

if (stores.length === 1) process.stdout.write('\n# PostgreSQL run skipped: TEST_DATABASE_URL is not set\n');
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exitCode = exitFailed || totals.failed > 0 ? 1 : 0;

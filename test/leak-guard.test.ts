/** helpers/leak-guard.ts: every test file loads it, and it fails a file that leaks. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST_TEST = path.dirname(fileURLToPath(import.meta.url));
const GUARD_FILE = path.join(DIST_TEST, 'helpers/leak-guard.js');
const GUARD = pathToFileURL(GUARD_FILE).href;
const DIST_BENCH = path.join(DIST_TEST, '..', 'bench');

/** The relative imports of a compiled file (type-only imports are gone by then). */
function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/^import\s(?:[^'"]*?\sfrom\s)?['"](\.[^'"]+)['"]/gm)].map((match) => match[1]);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier));
}

/** The compiled test and bench files a file loads, itself included (src is not followed). */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file) || !(file.startsWith(DIST_TEST) || file.startsWith(DIST_BENCH))) return seen;
  seen.add(file);
  for (const imported of importsOf(file)) reachable(imported, seen);
  return seen;
}

const loadsGuard = (file: string) => reachable(file).has(GUARD_FILE);

test('every test file loads the leak guard and has no top-level await', () => {
  const files = fs.readdirSync(DIST_TEST).filter((name) => name.endsWith('.test.js'));
  assert.ok(files.length > 30, `found ${files.length} test files`);
  assert.deepEqual(files.filter((name) => !loadsGuard(path.join(DIST_TEST, name))), []);
  // Statements at column 0 of compiled output are top-level.
  const topLevelAwait = /^(?:await\s|(?:const|let|var)\s[^;\n]*?=\s*await\s)/m;
  assert.deepEqual(files.filter((name) => topLevelAwait.test(fs.readFileSync(path.join(DIST_TEST, name), 'utf8'))), []);
});

test('the bench loads neither the leak guard nor node:test (their hooks cost the measured process CPU)', () => {
  const benchFiles = fs.readdirSync(DIST_BENCH, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.js'))
    .map((name) => path.join(DIST_BENCH, name));
  assert.ok(benchFiles.length > 5, `found ${benchFiles.length} bench files`);
  const loaded = new Set(benchFiles.flatMap((file) => [...reachable(file)]));
  assert.equal(loaded.has(GUARD_FILE), false);
  const nodeTest = /^import\s[^;]*?['"]node:test['"]/m;
  assert.deepEqual([...loaded].filter((file) => nodeTest.test(fs.readFileSync(file, 'utf8'))), []);
});

/** Runs one test file in a `node --test` of its own; answers its exit code and output. */
function runTestFile(body: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-leak-'));
  const file = path.join(dir, 'probe.test.mjs');
  fs.writeFileSync(file, `import ${JSON.stringify(GUARD)};\nimport { after, test } from 'node:test';\nimport net from 'node:net';\n${body}\n`);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // else the inner runner reports to ours instead of printing
  const result = spawnSync(process.execPath, ['--test', file], { env, encoding: 'utf8', timeout: 30_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: result.status, output: result.stdout + result.stderr };
}

test('a file that closes what it started in its after hooks passes', () => {
  const { status, output } = runTestFile(`
    const server = net.createServer();
    after(() => new Promise((resolve) => server.close(resolve)));
    test('listens', () => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
    after(() => clearInterval(timer));
    const timer = setInterval(() => {}, 60_000);
  `);
  assert.equal(status, 0, output);
});

test('a file that leaves a timer and a server behind fails, naming them', () => {
  const { status, output } = runTestFile(`
    test('leaks', async () => {
      setInterval(() => {}, 60_000);
      const server = net.createServer();
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
  `);
  assert.equal(status, 1, output);
  assert.match(output, /the file left behind: server listening on 127\.0\.0\.1:\d+; 1 Timeout \(a timer not cleared\)/);
});

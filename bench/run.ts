/**
 * `npm run bench`: measures statusrelay against a plain-POST baseline in the same run, on the
 * same machine, with the receiver in its own process. Prints one JSON document.
 * BENCH_MESSAGES sets the size (default 20000); BENCH_SKIP_POSTGRES=1 leaves PostgreSQL out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReceiverProcess, round } from './lib.js';
import { runPlainPosts } from './scenarios/plain-post.js';
import { runRelayScenario } from './scenarios/http-callbacks.js';
import { runForwardingScenarios } from './scenarios/forwarding.js';
import { runSmppScenario } from './scenarios/smpp.js';
import { runPostgresScenarios } from './scenarios/postgres.js';

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const concurrency = 64;

const receiver = await startReceiverProcess();
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-bench-'));
try {
  // Warm both paths once so neither side pays JIT and connection set-up in its measurement.
  await runPlainPosts(receiver.url, 2_000, concurrency);
  const plain = await runPlainPosts(receiver.url, messages, concurrency);
  const sqlite = await runRelayScenario({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'bench.db')}`,
    messages,
    window: 1_000,
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  });
  const forwarding = await runForwardingScenarios({
    messages: Math.min(messages, 5_000),
    dataDir: tempDir,
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  });
  const smpp = await runSmppScenario({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'smpp.db')}`,
    messages: Math.min(messages, 5_000),
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  });
  // PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL, else a throwaway cluster (needs root).
  const postgres = process.env.BENCH_SKIP_POSTGRES
    ? { skipped: 'BENCH_SKIP_POSTGRES is set' }
    : await runPostgresScenarios({ receiver, messages, env: { DESTINATION_CONCURRENCY: String(concurrency) } });
  const result = {
    machine: { cpus: os.cpus().length, node: process.version },
    plain_http_posts: plain,
    sqlite_1_node: sqlite,
    ratio_callbacks_to_plain_posts: round(sqlite.callbacks_per_second / plain.per_second, 2),
    forwarding,
    smpp,
    postgres,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await receiver.stop();
  fs.rmSync(tempDir, { recursive: true, force: true });
}

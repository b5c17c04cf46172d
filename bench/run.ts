/**
 * `npm run bench`: measures statusrelay against a plain-POST baseline in the same run, on the
 * same machine, with the receiver in its own process. Prints one JSON document.
 * BENCH_MESSAGES sets the size (default 20000); BENCH_SKIP_POSTGRES=1 leaves PostgreSQL out;
 * BENCH_ONLY picks scenarios (synchronous, batched, api, websms_api, fair_share, backlog, forwarding, smpp, email_interface, websms, smpp_server, postgres);
 * backlog runs only when named there; BENCH_BACKLOG sets its size (default 1000000 callbacks).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReceiverProcess, round } from './lib.js';
import { runPlainPosts } from './scenarios/plain-post.js';
import { runRelayScenario } from './scenarios/http-callbacks.js';
import { runForwardingScenarios } from './scenarios/forwarding.js';
import { runSmppScenario } from './scenarios/smpp.js';
import { runSmppServerScenario } from './scenarios/smpp-server.js';
import { runPostgresScenarios } from './scenarios/postgres.js';
import { runEmailInterfaceScenario } from './scenarios/email-interface.js';
import { runWebsmsScenario } from './scenarios/websms.js';
import { runApiEndToEnd } from './scenarios/api-end-to-end.js';
import { runFairShareScenario } from './scenarios/fair-share.js';
import { forkBacklogScenario } from './scenarios/backlog.js';

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
/** BENCH_ONLY=forwarding,smpp,… runs only those scenarios besides the plain and SQLite baselines. */
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const skipped = { skipped: 'not in BENCH_ONLY' };
async function scenario<T>(name: string, run: () => Promise<T>): Promise<T | typeof skipped> {
  return !only || only.includes(name) ? run() : skipped;
}
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
  // The same with SQLITE_SYNCHRONOUS=normal: what fsyncing every (grouped) commit costs.
  const sqliteNormal = await scenario('synchronous', () => runRelayScenario({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'bench-normal.db')}`,
    messages,
    window: 1_000,
    env: { DESTINATION_CONCURRENCY: String(concurrency), SQLITE_SYNCHRONOUS: 'normal' },
  }));
  // The same path with the account's status URL batched: up to 1,000 callbacks per POST.
  const batched = await scenario('batched', () => runRelayScenario({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'bench-batched.db')}`,
    messages,
    window: 1_000,
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
    batch: { max_items: 1_000, max_wait_ms: 20 },
  }));
  const apiEndToEnd = await scenario('api', () => runApiEndToEnd({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'api.db')}`,
    messages,
    connections: 50,
  }));
  const websmsEndToEnd = await scenario('websms_api', () => runApiEndToEnd({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'websms-api.db')}`,
    messages,
    connections: 50,
    via: 'websms',
  }));
  const fairShare = await scenario('fair_share', () => runFairShareScenario({ dataDir: fs.mkdtempSync(path.join(tempDir, 'fair-')) }));
  // Only when named (it takes minutes). In a process of its own, so the RSS it samples is that relay's alone.
  const backlog = only?.includes('backlog')
    ? await forkBacklogScenario({ backlog: Number(process.env.BENCH_BACKLOG ?? 1_000_000), oneNodeRate: sqlite.callbacks_per_second })
    : { skipped: 'only run when BENCH_ONLY names it' };
  const forwarding = await scenario('forwarding', () => runForwardingScenarios({
    messages: Math.min(messages, 5_000),
    dataDir: tempDir,
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  }));
  const smpp = await scenario('smpp', () => runSmppScenario({
    receiver,
    databaseUrl: `file:${path.join(tempDir, 'smpp.db')}`,
    messages: Math.min(messages, 5_000),
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  }));
  const emailInterface = await scenario('email_interface', () => runEmailInterfaceScenario({
    mails: Math.min(messages, 5_000),
    dataDir: tempDir,
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  }));
  const websms = await scenario('websms', () => runWebsmsScenario({
    receiver,
    dataDir: fs.mkdtempSync(path.join(tempDir, 'websms-')),
    messages: Math.min(messages, 5_000),
    concurrency,
    env: { DESTINATION_CONCURRENCY: String(concurrency) },
  }));
  const smppServer = await scenario('smpp_server', async () => {
    const measured = await runSmppServerScenario({
      databaseUrl: `file:${path.join(tempDir, 'smpp-server.db')}`,
      messages: Math.min(messages, 5_000),
    });
    return { ...measured, ratio_receipts_to_http_callbacks: round(measured.receipts_per_second / sqlite.callbacks_per_second, 2) };
  });
  // PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL, else a throwaway cluster (needs root).
  const postgres = process.env.BENCH_SKIP_POSTGRES
    ? { skipped: 'BENCH_SKIP_POSTGRES is set' }
    : await scenario('postgres', () => runPostgresScenarios({
      receiver,
      messages,
      env: { DESTINATION_CONCURRENCY: String(concurrency) },
      pinned: process.env.BENCH_PIN === '1',
    }));
  const result = {
    machine: { cpus: os.cpus().length, node: process.version },
    plain_http_posts: plain,
    sqlite_1_node: sqlite,
    ratio_callbacks_to_plain_posts: round(sqlite.callbacks_per_second / plain.per_second, 2),
    sqlite_1_node_synchronous_normal: sqliteNormal,
    batched,
    ...('callbacks_per_second' in batched
      ? {
          ratio_batched_to_plain_posts: round(batched.callbacks_per_second / plain.per_second, 2),
          // Against the same path with one request per callback (sqlite_1_node).
          ratio_batched_to_one_request: round(batched.callbacks_per_second / sqlite.callbacks_per_second, 2),
        }
      : {}),
    api_end_to_end: apiEndToEnd,
    websms_end_to_end: websmsEndToEnd,
    fair_share: fairShare,
    backlog,
    ...('callbacks_per_second' in sqliteNormal
      ? { ratio_synchronous_full_to_normal: round(sqlite.callbacks_per_second / sqliteNormal.callbacks_per_second, 2) }
      : {}),
    forwarding,
    smpp,
    email_interface:
      'mails_accepted_per_second' in emailInterface
        ? {
            ...emailInterface,
            // Against the HTTP callback path (provider report → store → signed callback) measured above.
            ratio_accepted_to_http_callbacks: round(emailInterface.mails_accepted_per_second / sqlite.callbacks_per_second, 2),
            ratio_receipts_to_http_callbacks: round(emailInterface.receipts_mailed_per_second / sqlite.callbacks_per_second, 2),
          }
        : emailInterface,
    websms,
    smpp_server: smppServer,
    postgres,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await receiver.stop();
  fs.rmSync(tempDir, { recursive: true, force: true });
}

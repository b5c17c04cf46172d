/**
 * PostgreSQL in `npm run bench`: callbacks/s and latency for 1 node and 2 nodes on one
 * database, with SQLite (1 node) through the same harness for a like-for-like ratio. Each node
 * is a child process (relay-node.ts); the receiver is a process of its own; the database server
 * runs on the same machine. Reports are recorded as a connector does (a window at a time, each
 * awaiting its commit); every node gets an equal share of the messages.
 *
 * The database server: `serverUrl` (a postgres:// URL the bench may create databases on), or
 * else BENCH_DATABASE_URL / TEST_DATABASE_URL, or else a throwaway cluster started with
 * scripts/postgres-test-cluster.sh (needs root, as CI and the developer machines are).
 *
 * Each run reports the CPU the nodes, the database server (when it runs on this machine) and the
 * receiver used during the peak, per callback and in cores: what a node and the database each
 * cost, so what more nodes add on more cores can be worked out. With `pinned` (BENCH_PIN=1) the
 * database server and the receiver get CPU 0 and the nodes the other CPUs, so each budget is
 * measured apart from the others.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open.js';
import { createAccount } from '../../src/intake/accounts.js';
import { createDatabase } from '../../test/helpers/postgres.js';
import { BENCH_ENV, round, waitUntil, wallClock, type ReceiverProcess } from '../lib.js';
import { latencies } from './http-callbacks.js';
import { ALL_CPUS, cpuMsOf, pin, pinServer, postmasterOf, serverCpuMs } from '../process-cpu.js';
import type { NodeCommand } from './relay-node.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLUSTER_SCRIPT = path.resolve(HERE, '../../../scripts/postgres-test-cluster.sh');

export interface PostgresScenarioOptions {
  receiver: ReceiverProcess;
  /** Callbacks per scenario (one report per message). */
  messages: number;
  /** Reports in flight per node, like a provider connection's window. Default 1,000. */
  window?: number;
  serverUrl?: string;
  /** Extra settings for every node (e.g. DATABASE_POOL_SIZE, CLAIM_BATCH). */
  env?: Record<string, string>;
  /** Database server and receiver on CPU 0, nodes on the others (needs 2 or more CPUs). */
  pinned?: boolean;
}

/** The processes whose CPU a run measures; `postmaster` when the database server runs here. */
interface Measured {
  nodes: number[];
  receiver: number;
  postmaster?: number;
}

/** Starts counting the CPU of `pids`; the function returned gives each part per callback and in cores. */
function cpuMeter(pids: Measured) {
  const read = () => ({
    nodes: cpuMsOf(pids.nodes),
    receiver: cpuMsOf([pids.receiver]),
    ...(pids.postmaster ? { database: serverCpuMs(pids.postmaster) } : {}),
  });
  const before = read();
  const started = wallClock();
  return (callbacks: number) => {
    const after = read();
    const wallMs = wallClock() - started;
    const part = (ms: number) => ({ us_per_callback: round((ms * 1000) / callbacks), cores: round(ms / wallMs, 2) });
    return {
      nodes: part(after.nodes - before.nodes),
      ...(after.database !== undefined ? { database_server: part(after.database - before.database!) } : {}),
      receiver: part(after.receiver - before.receiver),
    };
  };
}

/** The postmaster of the server behind `databaseUrl`, when it runs on this machine. */
async function localPostmaster(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return postmasterOf(rows[0].pid);
  } finally {
    await client.end();
  }
}

interface Node {
  child: ChildProcess;
  ask(command: NodeCommand): Promise<{ type: string; reportedAt?: Array<[string, number]> }>;
}

function startNode(env: Record<string, string>): Node {
  const child = fork(path.join(HERE, 'relay-node.js'), { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    child,
    ask: (command) =>
      new Promise((resolve, reject) => {
        child.once('message', (answer: { type: string; message?: string }) =>
          answer.type === 'error' ? reject(new Error(`bench node: ${answer.message}`)) : resolve(answer));
        child.send(command);
      }),
  };
}

/** One scenario: `nodes` relay processes on `databaseUrl`, peak then half-load. */
async function runNodes(databaseUrl: string, nodes: number, options: PostgresScenarioOptions, postmaster?: number) {
  const { receiver } = options;
  const setup = await openStore(databaseUrl);
  await setup.migrate();
  const account = await createAccount(setup, 'bench', Date.now());
  await setup.close();

  const env = { ...BENCH_ENV, DATABASE_URL: databaseUrl, DESTINATION_CONCURRENCY: '64', ...options.env };
  const workers = Array.from({ length: nodes }, () => startNode(env));
  const cpus = os.cpus().length;
  if (options.pinned) workers.forEach((node, i) => pin(node.child.pid!, String(1 + (i % (cpus - 1)))));
  const share = Math.floor(options.messages / nodes);
  const total = share * nodes;
  try {
    await Promise.all(workers.map((node) => node.ask({ type: 'init', accountId: account.account_id, webhookUrl: receiver.url, count: share })));
    await receiver.arrivals(); // drop anything earlier

    const collect = async (answers: Promise<{ reportedAt?: Array<[string, number]> }>[]) =>
      new Map((await Promise.all(answers)).flatMap((answer) => answer.reportedAt ?? []));

    // Peak: every node reports as fast as its window allows.
    const base = await receiver.count();
    const cpuDuringPeak = cpuMeter({ nodes: workers.map((node) => node.child.pid!), receiver: receiver.pid, postmaster });
    const started = wallClock();
    const peakReported = collect(workers.map((node) => node.ask({ type: 'report', status: 'submitted', window: options.window ?? 1_000 })));
    const allDelivered = await waitUntil(async () => (await receiver.count()) - base >= total, 180_000);
    const peakSeconds = (wallClock() - started) / 1000;
    const peakCpu = cpuDuringPeak(total);
    const peakLatency = latencies(await peakReported, await receiver.arrivals());
    const peakRate = total / peakSeconds;

    // Half the peak rate, paced, for about five seconds: the latency a customer sees.
    const halfRate = peakRate / 2;
    const paced = Math.min(share, Math.round((halfRate * 5) / nodes));
    const halfBase = await receiver.count();
    const halfReported = await collect(workers.map((node) => node.ask({ type: 'pace', status: 'delivered', count: paced, perSecond: halfRate / nodes })));
    await waitUntil(async () => (await receiver.count()) - halfBase >= paced * nodes, 60_000);
    const halfLatency = latencies(halfReported, await receiver.arrivals());

    return {
      nodes,
      callbacks: total,
      all_delivered: allDelivered,
      callbacks_per_second: round(peakRate),
      cpu_during_peak: peakCpu,
      peak_p50_ms: peakLatency.p50,
      peak_p99_ms: peakLatency.p99,
      half_load_rate: round(halfRate),
      half_load_p50_ms: halfLatency.p50,
      half_load_p99_ms: halfLatency.p99,
    };
  } finally {
    await Promise.all(workers.map(async (node) => {
      await node.ask({ type: 'stop' }).catch(() => undefined);
      if (node.child.exitCode === null) await new Promise((resolve) => node.child.once('exit', resolve));
    }));
  }
}

/** A throwaway cluster for the run, when no server was named. */
function startCluster(): { url: string; stop(): void } {
  const output = execFileSync('bash', [CLUSTER_SCRIPT, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (name: string) => /^(\w+)=(.*)$/m.exec(output.split('\n').find((line) => line.startsWith(`${name}=`)) ?? '')?.[2];
  const url = value('TEST_DATABASE_URL');
  const dir = value('PGTEST_DIR');
  if (!url || !dir) throw new Error(`postgres-test-cluster.sh printed no URL: ${output}`);
  return { url, stop: () => execFileSync('bash', [CLUSTER_SCRIPT, 'stop', dir], { stdio: 'ignore' }) };
}

export async function runPostgresScenarios(options: PostgresScenarioOptions) {
  const named = options.serverUrl ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const cluster = named ? undefined : startCluster();
  const serverUrl = named ?? cluster!.url;
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-bench-pg-'));
  // Pinning needs a CPU for the nodes besides CPU 0.
  const pinned = options.pinned === true && os.cpus().length >= 2;
  const runOptions = { ...options, pinned };
  try {
    const firstDatabase = await createDatabase(serverUrl, 'statusrelay_bench');
    const postmaster = await localPostmaster(firstDatabase);
    if (pinned) {
      if (postmaster) pinServer(postmaster, '0');
      pin(options.receiver.pid, '0');
    }
    // The same harness on SQLite, so the ratio compares stores and nothing else.
    const sqlite = await runNodes(`file:${path.join(tempDir, 'bench.db')}`, 1, runOptions);
    const postgres1 = await runNodes(firstDatabase, 1, runOptions, postmaster);
    const postgres2 = await runNodes(await createDatabase(serverUrl, 'statusrelay_bench'), 2, runOptions, postmaster);
    if (pinned && postmaster && !cluster) pinServer(postmaster, ALL_CPUS);
    return {
      harness: 'each node a child process; receiver and database server on the same machine',
      placement: pinned ? 'pinned: database server and receiver on CPU 0, nodes on the other CPUs' : 'not pinned',
      sqlite_1_node_same_harness: sqlite,
      postgres_1_node: postgres1,
      postgres_2_nodes: postgres2,
      ratio_postgres_1_to_sqlite_1: round(postgres1.callbacks_per_second / sqlite.callbacks_per_second, 2),
      ratio_postgres_2_to_postgres_1: round(postgres2.callbacks_per_second / postgres1.callbacks_per_second, 2),
    };
  } finally {
    if (pinned) pin(options.receiver.pid, ALL_CPUS);
    fs.rmSync(tempDir, { recursive: true, force: true });
    cluster?.stop();
  }
}

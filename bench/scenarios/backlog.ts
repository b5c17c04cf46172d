/**
 * A customer's endpoint is down while its traffic keeps coming: `backlog` callbacks owed to a
 * destination that refuses connections (a closed port on 127.0.0.1), beside another account
 * whose destination receives a steady `rate` callbacks/s. Measures that account's latency
 * without and with the backlog, the process's RSS every second, what claims and the other
 * outbox queries cost, the attempts the dead port gets, and, once a receiver listens on that
 * port again, the drain rate and the status order per message.
 *
 * The backlog is written with direct SQL in large transactions (through a connection of the
 * bench's own), cloned from what a real transition wrote for two template messages: every 10th
 * message has `submitted` then `delivered` (the second callback waits with due_at NULL until
 * the first is finished, as a lane does), the others `submitted` only; all are due now.
 */
import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import type { Store } from '../../src/store/store.js';
import { benchMessage, latencies } from './http-callbacks.js';
import { benchConfig, round, startReceiverProcess, waitUntil, wallClock, type ReceiverProcess } from '../lib.js';

export interface BacklogOptions {
  /** The healthy account's receiver (the bench's receiver process). */
  receiver: ReceiverProcess;
  dataDir: string;
  /** Callbacks owed to the dead destination. */
  backlog: number;
  /** The healthy account's callbacks per second, and for how long each measurement runs. */
  rate?: number;
  seconds?: number;
  /** The same run's one-node rate (sqlite_1_node): the drain should reach it. */
  oneNodeRate: number;
  drainTimeoutMs?: number;
  env?: Record<string, string>;
}

type Row = Record<string, unknown>;
const TIMED = ['claimDueCallbacks', 'returnClaims', 'recordAttempts', 'releaseWaiting', 'nextDueAt'] as const;
type Timed = (typeof TIMED)[number];
interface CallStats { calls: number; total_ms: number; max_ms: number; rows: number }

/** Wraps the store methods dispatch calls, counting calls, rows returned and time. */
function timeStoreCalls(store: Store) {
  let stats = new Map<Timed, CallStats>();
  for (const name of TIMED) {
    const original = (store[name] as (...args: unknown[]) => Promise<unknown>).bind(store);
    (store as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const started = performance.now();
      const result = await original(...args);
      const ms = performance.now() - started;
      const entry = stats.get(name) ?? { calls: 0, total_ms: 0, max_ms: 0, rows: 0 };
      stats.set(name, entry);
      entry.calls++;
      entry.total_ms += ms;
      entry.max_ms = Math.max(entry.max_ms, ms);
      entry.rows += Array.isArray(result) ? result.length : typeof result === 'number' && name !== 'nextDueAt' ? result : 0;
      return result;
    };
  }
  /** The calls since the last take, per method. */
  return () => {
    const taken = Object.fromEntries([...stats].map(([name, s]) => [name, {
      calls: s.calls, rows: s.rows, avg_ms: round(s.total_ms / s.calls, 3), max_ms: round(s.max_ms, 2), total_ms: round(s.total_ms),
    }]));
    stats = new Map();
    return taken;
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function runBacklogScenario(options: BacklogOptions) {
  const rate = options.rate ?? 500;
  const seconds = options.seconds ?? 10;
  const file = path.join(options.dataDir, 'backlog.db');
  const deadPort = await closedPort();
  const deadUrl = `http://127.0.0.1:${deadPort}/callbacks`;
  const relay = await createRelay(benchConfig(`file:${file}`, { DESTINATION_CONCURRENCY: '64', ...options.env }));
  await relay.start();
  const takeCalls = timeStoreCalls(relay.store);
  const db = new Database(file);
  db.pragma('busy_timeout = 30000');

  // RSS every second, by phase; the event loop's delay per phase.
  let phase = 'warming_up';
  const rss: Record<string, number[]> = {};
  const rssTimer = setInterval(() => (rss[phase] ??= []).push(round(process.memoryUsage().rss / 2 ** 20)), 1_000);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const phases: Record<string, object> = {};
  const endPhase = (extra: object = {}) => {
    const memory = process.memoryUsage();
    phases[phase] = {
      ...extra,
      // Where the RSS is at the end of the phase: V8's heap, and the rest (SQLite's page cache, code, buffers).
      memory_mib: { rss: round(memory.rss / 2 ** 20), heap_used: round(memory.heapUsed / 2 ** 20), heap_total: round(memory.heapTotal / 2 ** 20), external: round(memory.external / 2 ** 20) },
      event_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6), event_loop_delay_max_ms: round(loopDelay.max / 1e6),
      store_calls: takeCalls(),
    };
    loopDelay.reset();
  };
  const healthyReceiver = options.receiver;
  let orderReceiver: ReceiverProcess | undefined;
  try {
    const healthy = await createAccount(relay.store, 'healthy', Date.now());
    const dead = await createAccount(relay.store, 'dead', Date.now());
    const deadAttempts = db.prepare('SELECT count(*) AS n FROM attempts a JOIN callbacks c ON c.id = a.callback_id WHERE c.account_id = ?');
    const attemptsToDead = () => (deadAttempts.get(dead.account_id) as { n: number }).n;

    /** `rate` reports/s for `seconds` s to the healthy destination; report-to-arrival latency. */
    const measureHealthy = async (forSeconds = seconds) => {
      const messages = Array.from({ length: rate * forSeconds }, () => benchMessage(healthy.account_id, healthyReceiver.url, Date.now()));
      for (let i = 0; i < messages.length; i += 1_000) await relay.store.insertMessages(messages.slice(i, i + 1_000));
      await healthyReceiver.arrivals(); // drop anything earlier
      const reportedAt = new Map<string, number>();
      const pending: Promise<unknown>[] = [];
      const started = wallClock();
      const perTick = Math.max(1, Math.round(rate / 100));
      for (let sent = 0; sent < messages.length; ) {
        for (const message of messages.slice(sent, sent + perTick)) {
          reportedAt.set(`${message.uuid}/submitted`, wallClock());
          pending.push(relay.recorder.record({ message_uuid: message.uuid, status: 'submitted', occurred_at: Date.now(), source: 'bench' }));
        }
        sent += perTick;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (sent / rate) * 1_000 - wallClock())));
      }
      await Promise.all(pending);
      const arrivals = new Map<string, number>();
      await waitUntil(async () => {
        for (const [key, at] of await healthyReceiver.arrivals()) arrivals.set(key, at);
        return arrivals.size >= messages.length;
      }, 60_000);
      return { callbacks: messages.length, arrived: arrivals.size, ...latencies(reportedAt, arrivals) };
    };

    // Two template messages to the dead URL, through a real transition: their rows are what
    // the backlog is cloned from.
    const templates = [benchMessage(dead.account_id, deadUrl, Date.now()), benchMessage(dead.account_id, deadUrl, Date.now())];
    await relay.store.insertMessages(templates);
    for (const message of templates) await relay.recorder.record({ message_uuid: message.uuid, status: 'submitted', occurred_at: Date.now(), source: 'bench' });
    await relay.recorder.record({ message_uuid: templates[1]!.uuid, status: 'delivered', occurred_at: Date.now(), source: 'bench' });
    const messageRow = db.prepare('SELECT * FROM messages WHERE uuid = ?');
    const [submittedMessage, deliveredMessage] = templates.map((message) => messageRow.get(message.uuid) as Row);
    const [firstCallback, secondCallback] = db.prepare('SELECT * FROM callbacks WHERE message_uuid = ? ORDER BY event_seq').all(templates[1]!.uuid) as Row[];
    if (!firstCallback || !secondCallback || secondCallback.due_at !== null) throw new Error('the template lane is not as expected');
    const deadKey = firstCallback.destination_key as string;

    phase = 'warming_up';
    await measureHealthy(3); // JIT, connections: the bench's other relays are warmed the same way
    endPhase();
    phase = 'healthy_alone';
    const alone = await measureHealthy();
    endPhase({ healthy: alone });

    // The backlog, written in large transactions, each row made by SQLite itself from the
    // template rows (no garbage in this process's heap). Message i has uuid 00000000-…-i.
    phase = 'writing_backlog';
    const run = Math.floor(Math.random() * 2 ** 31);
    const base = Date.now() - options.backlog; // every row due, one ms apart, in the past
    const SEQ = 'WITH RECURSIVE seq(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < @to)';
    const uuidOf = (kind: number) => `printf('%08x-000${kind}-7000-8000-%012x', @run, i)`;
    const cloneInsert = (table: string, template: Row, overrides: Record<string, string>, where: string) => {
      const columns = Object.keys(template);
      const statement = db.prepare(`${SEQ} INSERT INTO ${table} (${columns.join(', ')})
        SELECT ${columns.map((column) => overrides[column] ?? `@t_${column}`).join(', ')} FROM seq WHERE ${where}`);
      const fixed = Object.fromEntries(columns.filter((column) => !(column in overrides)).map((column) => [`t_${column}`, template[column]]));
      const given: Row = { ...fixed, run, base, template_uuid: template.uuid ?? template.message_uuid, t_data: template.data, t_body: template.body };
      const used = Object.fromEntries(Object.entries(given).filter(([name]) => statement.source.includes(`@${name}`)));
      return (range: { from: number; to: number }) => statement.run({ ...used, ...range });
    };
    const messageOverrides = { uuid: uuidOf(0), data: `replace(@t_data, @template_uuid, ${uuidOf(0)})`, created_at: '@base + i', updated_at: '@base + i', expires_at: 'NULL' };
    const callbackOverrides = (kind: number, dueAt: string) => ({
      id: uuidOf(kind), message_uuid: uuidOf(0), body: `replace(@t_body, @template_uuid, ${uuidOf(0)})`, state: "'pending'", attempts: '0',
      due_at: dueAt, lease_token: 'NULL', last_error: 'NULL', delivered_at: 'NULL', created_at: '@base + i',
    });
    const inserts = [
      cloneInsert('messages', submittedMessage!, messageOverrides, 'i % 10 <> 0'),
      cloneInsert('messages', deliveredMessage!, messageOverrides, 'i % 10 = 0'),
      cloneInsert('callbacks', firstCallback, callbackOverrides(1, '@base + i'), '1'),
      // Every 10th message's `delivered` waits for its `submitted`, as a lane does.
      cloneInsert('callbacks', secondCallback, callbackOverrides(2, 'NULL'), 'i % 10 = 0'),
    ];
    const writeBatch = db.transaction((range: { from: number; to: number }) => {
      for (const insert of inserts) insert(range);
      // What a transition does: the destination is due from its earliest callback on.
      db.prepare(`INSERT INTO destinations (key, next_due_at) VALUES (?, ?)
        ON CONFLICT (key) DO UPDATE SET next_due_at = min(coalesce(next_due_at, excluded.next_due_at), excluded.next_due_at)`).run(deadKey, base + range.from);
    });
    const messageCount = Math.ceil(options.backlog / 1.1);
    const writeStarted = performance.now();
    for (let from = 0; from < messageCount; from += 20_000) {
      writeBatch({ from, to: Math.min(messageCount, from + 20_000) });
      await new Promise((resolve) => setImmediate(resolve)); // let the relay run between batches
    }
    // A backlog built over a day would long be checkpointed out of the WAL.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const backlogRows = db.prepare(`SELECT count(*) AS n, sum(due_at IS NULL) AS waiting FROM callbacks
      WHERE destination_key = ? AND state IN ('pending', 'inflight')`).get(deadKey) as { n: number; waiting: number };
    endPhase({ seconds: round((performance.now() - writeStarted) / 1000), owed_to_dead_destination: backlogRows.n, waiting_behind_an_earlier_status: backlogRows.waiting });

    // With the backlog: a few seconds for the breaker to settle, then the same measurement.
    phase = 'settling';
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    endPhase();
    phase = 'with_backlog';
    const attemptsBefore = attemptsToDead();
    const measuredStarted = performance.now();
    const during = await measureHealthy();
    // What /healthz and the outbox-depth gauge ask: a count of every unfinished callback.
    const depthStarted = performance.now();
    await relay.store.outboxDepth();
    const outboxDepthMs = performance.now() - depthStarted;
    const measuredSeconds = (performance.now() - measuredStarted) / 1000;
    const deadPortAttempts = attemptsToDead() - attemptsBefore;
    endPhase({ healthy: during, seconds: round(measuredSeconds), dead_port_attempts: deadPortAttempts, dead_port_attempts_per_second: round(deadPortAttempts / measuredSeconds, 2), outbox_depth_ms: round(outboxDepthMs, 1) });

    // The endpoint comes back: a receiver on that very port, checking status order per message.
    phase = 'draining';
    const laterStmt = db.prepare(`SELECT count(*) AS n FROM callbacks WHERE destination_key = ? AND state IN ('pending', 'inflight') AND due_at > ?`);
    const owedStmt = db.prepare(`SELECT count(*) AS n FROM callbacks WHERE destination_key = ? AND state IN ('pending', 'inflight')`);
    const owed = (owedStmt.get(deadKey) as { n: number }).n;
    const backAt = wallClock();
    const retriedLater = (laterStmt.get(deadKey, Date.now()) as { n: number }).n;
    orderReceiver = await startReceiverProcess({ port: deadPort, checkOrder: true });
    const receiver = orderReceiver;
    const target = owed - retriedLater; // those not waiting out a retry backoff
    const drained = await waitUntil(async () => {
      const order = await receiver.order();
      return order.count - order.duplicates >= target;
    }, options.drainTimeoutMs ?? 1_800_000);
    const order = await receiver.order();
    const unique = order.count - order.duplicates;
    const drainSeconds = (order.last_at - order.first_at) / 1000;
    const drainRate = unique / Math.max(0.001, drainSeconds);
    endPhase({
      owed_when_back: owed,
      retried_later_by_backoff: retriedLater,
      all_drained: drained,
      arrived: unique,
      duplicates: order.duplicates,
      first_arrival_after_back_ms: order.first_at ? round(order.first_at - backAt) : null,
      back_to_empty_seconds: round((order.last_at - backAt) / 1000),
      drain_callbacks_per_second: round(drainRate),
      order_violations: order.violations,
    });

    // The outbox empty again (the database as large as after the backlog): a second baseline.
    phase = 'healthy_after_drain';
    const after = await measureHealthy();
    endPhase({ healthy: after });

    const all = Object.values(rss).flat();
    return {
      backlog: options.backlog,
      healthy_rate: rate,
      rss_mib: rss,
      peak_rss_mib: Math.max(...all),
      peak_rss_mib_by_phase: Object.fromEntries(Object.entries(rss).map(([name, samples]) => [name, Math.max(...samples)])),
      healthy_p99_without_backlog_ms: alone.p99,
      healthy_p99_with_backlog_ms: during.p99,
      healthy_p99_ratio: round(during.p99 / alone.p99, 2),
      healthy_p99_after_drain_ms: after.p99,
      claims_with_backlog: (phases.with_backlog as { store_calls: Record<string, unknown> }).store_calls.claimDueCallbacks,
      dead_port_attempts_per_second: round(deadPortAttempts / measuredSeconds, 2),
      drain_callbacks_per_second: round(drainRate),
      one_node_callbacks_per_second: options.oneNodeRate,
      drain_ratio_to_one_node: round(drainRate / options.oneNodeRate, 2),
      order_violations: order.violations,
      phases,
    };
  } finally {
    clearInterval(rssTimer);
    loopDelay.disable();
    db.close();
    await relay.stop();
    await orderReceiver?.stop();
  }
}

/** Runs the scenario in a child process (bench/backlog.ts): a fresh process, so its RSS is the relay's. */
export async function forkBacklogScenario(options: { backlog: number; oneNodeRate: number }): Promise<object> {
  const child = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'backlog.js'), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_BACKLOG: String(options.backlog), BENCH_ONE_NODE_RATE: String(options.oneNodeRate) },
  });
  let result: object = { failed: 'the backlog process exited without a result' };
  child.on('message', (message: { type: string; result: object }) => {
    if (message.type === 'result') result = message.result;
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  return code === 0 ? result : { ...result, exit_code: code };
}

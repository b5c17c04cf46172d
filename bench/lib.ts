/** Shared benchmark pieces: the receiver process, percentiles, memory sampling, pacing. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ReceiverProcess {
  url: string;
  /** Where websms delivery reports go: answered with {"statusCode":2000}, counted like callbacks. */
  websmsUrl: string;
  pid: number;
  /** Callbacks received: each item of a batch counts. */
  count(): Promise<number>;
  /** POSTs received. */
  posts(): Promise<number>;
  /** Arrival times (epoch ms, sub-ms) by "message_uuid/status", drained from the receiver. */
  arrivals(): Promise<Map<string, number>>;
  /** With `checkOrder`: arrivals, order violations and repeats, first and last arrival (epoch ms). */
  order(): Promise<ReceiverOrder>;
  stop(): Promise<void>;
}

export interface ReceiverOrder {
  count: number;
  violations: number;
  duplicates: number;
  first_at: number;
  last_at: number;
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}

/** `port`: listen there (default: any free port); `checkOrder`: keep no log, check status order instead. */
export async function startReceiverProcess(options: { port?: number; checkOrder?: boolean } = {}): Promise<ReceiverProcess> {
  const env = {
    ...process.env,
    ...(options.port ? { BENCH_RECEIVER_PORT: String(options.port) } : {}),
    ...(options.checkOrder ? { BENCH_RECEIVER_ORDER: '1' } : {}),
  };
  const child = fork(path.join(HERE, 'receiver.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as never));
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    websmsUrl: `http://127.0.0.1:${port}/websms`,
    pid: child.pid!,
    count: async () => (await ask<{ count: number }>(child, 'count')).count,
    posts: async () => (await ask<{ posts: number }>(child, 'posts')).posts,
    arrivals: async () => new Map((await ask<{ arrivals: Array<[string, number]> }>(child, 'arrivals')).arrivals),
    order: async () => (await ask<{ order: ReceiverOrder }>(child, 'order')).order,
    stop: async () => {
      child.send({ type: 'stop' });
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

export const wallClock = () => performance.timeOrigin + performance.now();

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Samples RSS every 50 ms; `stop()` returns the peak in MiB. */
export function sampleMemory() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return () => {
    clearInterval(timer);
    return round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
  };
}

export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/**
 * The settings every bench relay shares: one node on 127.0.0.1, quiet logs, no e-mail or SMPP
 * listener unless a scenario opens one, callbacks to 127.0.0.1 allowed, no per-account
 * request rate in the way of a bench posting from one account, and /metrics behind a token (so
 * the relay has no warning to log into the bench's JSON on stdout).
 */
export const BENCH_ENV: Readonly<Record<string, string>> = Object.freeze({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  EMAIL_INTERFACE_PORT: '0',
  SMPP_SERVER_PORT: '0',
  ALLOWED_DESTINATION_NETWORKS: '127.0.0.0/8,::1/128',
  API_RATE_LIMIT: '1000000',
  METRICS_TOKEN: 'bench-metrics-token',
});

/** Settings of the store a bench run may be given from its own environment, to compare them. */
const PASSED_THROUGH = ['SQLITE_CACHE_MIB'] as const;

export function benchConfig(databaseUrl: string, env: Record<string, string> = {}) {
  const passed = Object.fromEntries(PASSED_THROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  return loadConfig({ ...BENCH_ENV, ...passed, DATABASE_URL: databaseUrl, ...env });
}

/**
 * End to end on one node: provider report → lifecycle → store → signed HTTP callback at a
 * receiver process. Reports are recorded the way a connector does (each awaits its commit).
 * With `batch`, the callbacks go to the account's status URL, batched (README, "Batched delivery").
 */
import { v7 as timeOrderedUuid } from 'uuid';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import type { Message } from '../../src/model/types.js';
import type { BatchSettings } from '../../src/model/destination.js';
import { storedMessage } from '../../test/helpers/fixtures.js';
import { benchConfig, percentile, round, sampleMemory, wallClock, waitUntil, type ReceiverProcess } from '../lib.js';

export interface RelayScenarioOptions {
  receiver: ReceiverProcess;
  databaseUrl: string;
  messages: number;
  /** Reports in flight at once, like a provider connection's window. */
  window: number;
  env?: Record<string, string>;
  /** Batched delivery to the account's status URL instead of one POST per callback to each message's webhook_url. */
  batch?: BatchSettings;
}

/** An SMS sent through the API, stored directly (the bench measures what follows intake). */
export function benchMessage(accountId: string, webhookUrl: string | undefined, now: number, overrides: Partial<Message> = {}): Message {
  return storedMessage({
    uuid: timeOrderedUuid(), account_id: accountId, ...(webhookUrl ? { webhook_url: webhookUrl } : {}), created_at: now, updated_at: now, ...overrides,
  });
}

export async function runRelayScenario(options: RelayScenarioOptions) {
  const config = benchConfig(options.databaseUrl, options.env);
  const relay = await createRelay(config);
  await relay.start();
  const account = await createAccount(relay.store, 'bench', Date.now());
  if (options.batch) await relay.store.updateAccount(account.account_id, { status_url: options.receiver.url, status_batch: options.batch });
  const webhookUrl = options.batch ? undefined : options.receiver.url;
  const messages = Array.from({ length: options.messages }, () => benchMessage(account.account_id, webhookUrl, Date.now()));
  for (let i = 0; i < messages.length; i += 1_000) await relay.store.insertMessages(messages.slice(i, i + 1_000));
  const peakMemory = sampleMemory();
  await options.receiver.arrivals(); // drop anything earlier

  // Peak: reports as fast as the window allows.
  const reportedAt = new Map<string, number>();
  const report = (message: Message, status: 'submitted' | 'delivered') => {
    reportedAt.set(`${message.uuid}/${status}`, wallClock());
    return relay.recorder.record({ message_uuid: message.uuid, status, occurred_at: Date.now(), source: 'bench' });
  };
  const baseCount = await options.receiver.count();
  const basePosts = await options.receiver.posts();
  const cpuBefore = process.cpuUsage();
  const started = wallClock();
  for (let i = 0; i < messages.length; i += options.window) {
    await Promise.all(messages.slice(i, i + options.window).map((message) => report(message, 'submitted')));
  }
  const delivered = await waitUntil(async () => (await options.receiver.count()) - baseCount >= messages.length, 120_000);
  const peakSeconds = (wallClock() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peakPosts = (await options.receiver.posts()) - basePosts;
  const peakRate = messages.length / peakSeconds;
  const peakLatency = latencies(reportedAt, await options.receiver.arrivals());

  // Half of the peak, paced in 10 ms ticks for about five seconds: the latency a customer sees.
  reportedAt.clear();
  const halfRate = peakRate / 2;
  const paced = messages.slice(0, Math.min(messages.length, Math.round(halfRate * 5)));
  const perTick = Math.max(1, Math.round(halfRate / 100));
  const pacedStart = wallClock();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < paced.length; i += perTick) {
    pending.push(...paced.slice(i, i + perTick).map((message) => report(message, 'delivered')));
    const due = pacedStart + ((i + perTick) / perTick) * 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - wallClock())));
  }
  await Promise.all(pending);
  const countBefore = baseCount + messages.length;
  await waitUntil(async () => (await options.receiver.count()) - countBefore >= paced.length, 60_000);
  const halfLatency = latencies(reportedAt, await options.receiver.arrivals());
  const memory = peakMemory();
  await relay.stop();

  return {
    callbacks: messages.length,
    all_delivered: delivered,
    callbacks_per_second: round(peakRate),
    peak_p50_ms: peakLatency.p50,
    peak_p99_ms: peakLatency.p99,
    // CPU time of the relay process per callback: steadier than rates on a shared machine.
    cpu_us_per_callback: round((cpu.user + cpu.system) / messages.length),
    half_load_rate: round(halfRate),
    half_load_p50_ms: halfLatency.p50,
    half_load_p99_ms: halfLatency.p99,
    peak_rss_mib: memory,
    receiver_posts: peakPosts,
  };
}

export function latencies(reportedAt: Map<string, number>, arrivals: Map<string, number>) {
  const values: number[] = [];
  for (const [key, at] of arrivals) {
    const reported = reportedAt.get(key);
    if (reported !== undefined) values.push(at - reported);
  }
  values.sort((a, b) => a - b);
  return { p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) };
}

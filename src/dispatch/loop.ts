/**
 * The dispatch loop: claim due callbacks, hand each to its sender, record the outcome, sleep
 * until woken (a new outbox row, a finished attempt) or the poll interval passes.
 * Outcomes are written in batches; a destination at its concurrency limit is not claimed for,
 * so a slow or dead receiver holds only its own slots.
 */
import type { AttemptResult, ClaimedCallback, Store } from '../store/store.js';
import type { DispatchConfig } from '../config.js';
import type { Metrics } from '../ops/metrics.js';
import type { Senders } from './sender.js';
import { decideNext } from './retry-policy.js';

export interface DispatcherDeps {
  store: Store;
  senders: Senders;
  config: DispatchConfig;
  metrics: Metrics;
  now: () => number;
  random: () => number;
  onError: (error: unknown) => void;
}

export function createDispatcher(deps: DispatcherDeps) {
  const { config, store } = deps;
  // A lease outlives the slowest attempt plus one wait in a destination's local queue.
  const leaseMs = 2 * (config.connectTimeoutMs + config.responseTimeoutMs) + 30_000;
  const inFlightByKey = new Map<string, number>();
  const finished: AttemptResult[] = [];
  const attempts = new Set<Promise<void>>();
  let inFlight = 0;
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | undefined;
  let wakeRequested = false;
  let flushing: Promise<void> | undefined;
  let flushQueued = false;

  function wake(): void {
    wakeRequested = true;
    wakeUp?.();
  }

  function sleep(ms: number): Promise<void> {
    if (wakeRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  function flush(): Promise<void> {
    flushing ??= (async () => {
      while (finished.length > 0) {
        const batch = finished.splice(0, 512);
        try {
          await store.recordAttempts(batch);
        } catch (error) {
          // Unrecorded outcomes are not lost work: the lease runs out and the callback is retried.
          deps.onError(error);
        }
      }
      flushing = undefined;
      wake(); // a finished callback may unblock the next one of its message
    })();
    return flushing;
  }

  async function attempt(callback: ClaimedCallback): Promise<void> {
    const sender = deps.senders[callback.destination.type];
    const now = deps.now();
    const outcome = sender
      ? await sender.send(callback, now)
      : { verdict: 'failed' as const, error: `no sender for ${callback.destination.type} destinations`, durationMs: 0 };
    const decision = decideNext(
      { attempts: callback.attempts, createdAt: callback.created_at, now: deps.now(), verdict: outcome.verdict, retryAfterMs: outcome.retryAfterMs },
      config.retry,
      deps.random(),
    );
    deps.metrics.callbacks.inc({ outcome: decision.outcome, destination: callback.destination.type });
    if (decision.outcome === 'delivered') deps.metrics.deliveryLatency.observe((deps.now() - callback.created_at) / 1000);
    finished.push({
      callback_id: callback.id,
      lease_token: callback.lease_token,
      next_attempt_at: decision.nextAttemptAt,
      attempt: {
        callback_id: callback.id,
        number: callback.attempts,
        started_at: now,
        duration_ms: outcome.durationMs,
        status_code: outcome.statusCode,
        error: outcome.error,
        outcome: decision.outcome,
      },
    });
  }

  function start(callback: ClaimedCallback): void {
    inFlight++;
    inFlightByKey.set(callback.destination_key, (inFlightByKey.get(callback.destination_key) ?? 0) + 1);
    const running = attempt(callback)
      .catch(deps.onError)
      .finally(() => {
        inFlight--;
        const left = (inFlightByKey.get(callback.destination_key) ?? 1) - 1;
        if (left === 0) inFlightByKey.delete(callback.destination_key);
        else inFlightByKey.set(callback.destination_key, left);
        attempts.delete(running);
        // Batch outcomes that finish in the same tick into one write. Several attempts can finish
        // before the first of these handlers runs (a batching sender answers them all at once),
        // so the write is scheduled by a flag, not by the queue length.
        if (finished.length >= 512) void flush();
        else if (!flushQueued) {
          flushQueued = true;
          setImmediate(() => {
            flushQueued = false;
            void flush();
          });
        }
      });
    attempts.add(running);
  }

  async function claimOnce(): Promise<number> {
    const room = config.maxInFlight - inFlight;
    if (room <= 0) return 0;
    const full = [...inFlightByKey].filter(([, count]) => count >= config.perDestinationConcurrency).map(([key]) => key);
    const limit = Math.min(room, config.claimBatch);
    const claimed = await store.claimDueCallbacks({
      now: deps.now(),
      limit,
      leaseMs,
      perKey: config.perDestinationConcurrency,
      excludeKeys: full,
    });
    for (const callback of claimed) start(callback);
    return claimed.length === limit ? limit : 0;
  }

  async function run(): Promise<void> {
    while (running) {
      wakeRequested = false;
      let full = 0;
      try {
        full = await claimOnce();
      } catch (error) {
        deps.onError(error);
      }
      if (full > 0 && inFlight < config.maxInFlight) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // Due rows that were not claimed wait for a lane or a slot; a finished attempt wakes us.
      const nextDue = await store.nextDueAt().catch(() => undefined);
      const untilDue = nextDue === undefined ? Infinity : nextDue - deps.now();
      await sleep(untilDue > 0 ? Math.min(config.pollMs, untilDue) : config.pollMs);
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      loopDone = run();
    },
    wake,
    /** Stops claiming, lets in-flight attempts finish and records their outcomes. */
    async stop(): Promise<void> {
      running = false;
      wake();
      await loopDone;
      await Promise.allSettled([...attempts]);
      await flush();
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

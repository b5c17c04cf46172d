/**
 * The dispatch loop: claim due callbacks, hand each to its sender, record the outcome, sleep
 * until woken (a new outbox row, a finished attempt) or the poll interval passes.
 * Outcomes are written in batches; a destination at its concurrency limit is not claimed for,
 * so a slow or dead receiver holds only its own slots.
 */
import type { AttemptResult, ClaimedCallback, MessageContext, Store, Transition } from '../store/store.js';
import { claimedFromNew } from '../store/rows.js';
import type { DispatchConfig } from './options.js';
import type { Metrics } from '../ops/metrics.js';
import type { Senders } from './sender.js';
import { createSenderRegistry } from './sender-registry.js';
import { decideNext } from './retry-policy.js';
import { createSlots } from './slots.js';
import { createAccountShare, defaultAccountShare } from './account-share.js';
import { createBreakers } from './breaker.js';
import { createReserve } from './reserve.js';
import type { Clock } from '../model/clock.js';

export interface DispatcherDeps {
  store: Store;
  /** The entries of this node's sender registry. */
  senders: Senders;
  config: DispatchConfig;
  metrics: Metrics;
  /** Time, timers and the retry jitter's randomness. */
  clock: Clock;
  onError: (error: unknown) => void;
}

const RELEASE_WAITING_EVERY_MS = 5_000;
const FLUSH_EVERY_MS = 5;
/** Lease a reserved callback keeps beyond one attempt's timeouts when it starts (clock skew between nodes). */
const RESERVE_LEASE_MARGIN_MS = 5_000;
/** A destination whose last attempt ended longer ago than this is slow or hung: it gets no reserve. */
const RESERVE_FLOWING_MS = 1_000;
/** The reserve's bounds, in multiples of a destination's slots and of the process's. */
const RESERVE_SLOTS_PER_DESTINATION = 4;

export function createDispatcher(deps: DispatcherDeps) {
  const { config, store, clock } = deps;
  const senders = createSenderRegistry(deps.senders);
  const finished: AttemptResult[] = [];
  const attempts = new Set<Promise<void>>();
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
      const timer = clock.setTimeout(done, ms);
      function done() {
        clock.clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  /** Writes the outcomes; true when that made callbacks due (the next of a lane, a retry). */
  async function writeFinished(): Promise<boolean> {
    let madeDue = false;
    while (finished.length > 0) {
      const batch = finished.splice(0, 512);
      try {
        madeDue = (await store.recordAttempts(batch)) > 0 || madeDue;
      } catch (error) {
        // Unrecorded outcomes are not lost work: the lease runs out and the callback is retried.
        deps.onError(error);
      }
    }
    return madeDue;
  }

  function flush(): Promise<void> {
    // `then` runs after `flushing` is assigned, even when there was nothing to write (an
    // async body that finishes synchronously would clear `flushing` before the assignment and
    // leave it set for good: no outcome would be written again).
    flushing ??= writeFinished().then((madeDue) => {
      flushing = undefined;
      if (finished.length > 0) void flush(); // outcomes that arrived as the last write ended
      if (madeDue) wake(); // the next callback of a finished one's lane, or a retry, is due
    });
    return flushing;
  }

  async function attempt(callback: ClaimedCallback): Promise<void> {
    const sender = senders.senderFor(callback.destination.type);
    const now = clock.now();
    const outcome = sender
      ? await sender.send(callback, now)
      : { verdict: 'failed' as const, error: `no sender is registered for ${callback.destination.type} destinations`, durationMs: 0 };
    // The members of one batched POST share one decision, made at the first member's outcome,
    // so they are retried together, due at the same time (and the POST counts once for the breaker).
    const batch = outcome.batch;
    const firstOfAttempt = batch?.decision === undefined;
    const decision = batch?.decision ?? decideNext(
      {
        attempts: batch?.attempts ?? callback.attempts,
        createdAt: batch?.createdAt ?? callback.created_at,
        now: clock.now(),
        verdict: outcome.verdict,
        retryAfterMs: outcome.retryAfterMs,
      },
      config.retry,
      clock.random(),
    );
    if (batch) batch.decision = decision;
    deps.metrics.callbacks.inc({ outcome: decision.outcome, destination: callback.destination.type });
    // SMPP receipts wait for a bound session, not for a receiver to come back: no breaker there.
    if (firstOfAttempt && callback.destination.type !== 'smpp' && breakers.record(callback.destination_key, decision.outcome)) {
      deps.metrics.breakerOpened.inc({ destination: callback.destination.type });
    }
    if (decision.outcome === 'delivered') deps.metrics.deliveryLatency.observe((clock.now() - callback.created_at) / 1000);
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

  const slots = createSlots(config.perDestinationConcurrency, config.maxInFlight);
  const share = createAccountShare(config.accountMaxInFlight ?? defaultAccountShare(config.perDestinationConcurrency, config.maxInFlight));
  const breakers = createBreakers(config.breaker, () => clock.now());
  /**
   * Claimed callbacks going back to the outbox, per lease token: their account is over its share,
   * or their destination's breaker is open (a probe of it is already on its way).
   */
  const handBack = new Map<string, string[]>();

  function admit(callback: ClaimedCallback): void {
    const overShare = share.blocked(callback.account_id, slots.room());
    if (overShare || breakers.isOpen(callback.destination_key)) {
      if (overShare) share.park(callback.account_id, callback.destination_key);
      handOver(callback);
      return;
    }
    share.take(callback.account_id, slots.weight(callback.destination_key));
    if (slots.admit(callback)) launch(callback);
  }

  /**
   * Starts a claimed callback where its destination has a slot, else keeps it in the reserve
   * while the destination is flowing. False when neither took it.
   */
  function place(callback: ClaimedCallback): boolean {
    if (slots.roomFor(callback.destination_key) > 0) admit(callback);
    else if (!reserve.offer(callback, clock.now())) return false;
    return true;
  }

  /**
   * Claimed callbacks that found no slot wait here, still claimed (reserve.ts). Started with at
   * least one attempt's time plus a margin of their lease left, so an attempt always ends inside it.
   */
  const reserve = createReserve({
    perDestination: RESERVE_SLOTS_PER_DESTINATION * config.perDestinationConcurrency,
    total: RESERVE_SLOTS_PER_DESTINATION * config.maxInFlight,
    minLeaseLeftMs: config.connectTimeoutMs + config.responseTimeoutMs + RESERVE_LEASE_MARGIN_MS,
    flowingMs: RESERVE_FLOWING_MS,
  });

  /** Starts reserved callbacks where slots are free; those whose lease runs short go back to the outbox. */
  function launchReserved(): void {
    if (reserve.size === 0) return;
    for (const callback of reserve.stale(clock.now())) handOver(callback);
    if (running) {
      for (const key of reserve.keys()) {
        for (let room = slots.roomFor(key), next; room > 0 && (next = reserve.take(key)); room--) admit(next);
        if (slots.room() <= 0) break;
      }
    }
    if (handBack.size > 0) void returnHandedBack();
  }

  function handOver(callback: ClaimedCallback): void {
    const ids = handBack.get(callback.lease_token) ?? [];
    handBack.set(callback.lease_token, ids);
    ids.push(callback.id);
  }

  function returnHandedBack(): Promise<unknown> {
    const returns = [...handBack].map(([token, ids]) => store.returnClaims(ids, token, clock.now()).catch(deps.onError));
    handBack.clear();
    return Promise.all(returns);
  }

  function launch(callback: ClaimedCallback): void {
    breakers.launched(callback.destination_key);
    const running = attempt(callback)
      .catch(deps.onError)
      .finally(() => {
        attempts.delete(running);
        const { next, reopened } = slots.finish(callback.destination_key);
        reserve.ended(callback.destination_key, clock.now());
        const accountReopened = share.release(callback.account_id, slots.weight(callback.destination_key), slots.room());
        if (next) launch(next);
        else launchReserved();
        // A slot the reserve filled again needs no claim.
        if ((reopened && slots.roomFor(callback.destination_key) > 0) || accountReopened) wake();
        // Outcomes are written in groups, one transaction per few ms. Several attempts can finish
        // before the first of these handlers runs (a batching sender answers them all at once),
        // so the write is scheduled by a flag, not by the queue length.
        if (finished.length >= 512) void flush();
        else if (!flushQueued) {
          flushQueued = true;
          clock.setTimeout(() => {
            flushQueued = false;
            void flush();
          }, FLUSH_EVERY_MS);
        }
      });
    attempts.add(running);
  }

  async function claimOnce(): Promise<number> {
    launchReserved();
    const room = Math.floor(slots.room());
    if (room <= 0) return 0;
    // What does not fit in the slots waits in the reserve: one claim serves several rounds of slots.
    const limit = Math.min(room + reserve.room, config.claimBatch);
    const claimed = await store.claimDueCallbacks({
      now: clock.now(),
      limit,
      leaseMs: config.leaseMs,
      perKey: config.perDestinationConcurrency,
      excludeKeys: withParked(slots.fullKeys(), [...share.excludedKeys(slots.room()), ...breakers.openKeys(), ...reserve.keys()]),
      restriction: senders.claimRestriction(),
    });
    // A claim may bring more for a destination than it has room for: the rest goes back.
    for (const callback of claimed) if (!place(callback)) handOver(callback);
    if (handBack.size > 0) void returnHandedBack();
    // Callbacks to batched destinations fill a fraction of a slot each, so a full claim may bring more rows.
    return claimed.length >= limit ? limit : 0;
  }

  /** Repairs lanes left waiting by a race between nodes; rare, so checked now and then. */
  let lastRelease = 0;
  async function releaseWaiting(): Promise<void> {
    const now = clock.now();
    if (now - lastRelease < RELEASE_WAITING_EVERY_MS) return;
    lastRelease = now;
    await store.releaseWaiting(now);
  }

  async function run(): Promise<void> {
    while (running) {
      wakeRequested = false;
      let full = 0;
      try {
        await releaseWaiting();
        full = await claimOnce();
      } catch (error) {
        deps.onError(error);
      }
      if (full > 0 && slots.room() > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      // Due rows that were not claimed wait for a lane or a slot; a finished attempt wakes us.
      const nextDue = await store.nextDueAt().catch(() => undefined);
      const untilDue = nextDue === undefined ? Infinity : nextDue - clock.now();
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
    /** How many new callbacks to `key` this process can start or keep in its reserve now. */
    roomToTake(key: string): number {
      if (!running || !senders.serves(key) || breakers.isOpen(key)) return 0;
      return slots.roomFor(key) + reserve.roomFor(key, clock.now());
    },
    /**
     * Takes the callbacks a commit wrote already claimed for this process (the hot path: no
     * claim round trip). Those without a free slot wait in the reserve; those this process may not
     * take now (breaker open, account over its share) or that the reserve has no room for go back
     * to the outbox. Wakes the loop only when a claim could find something to start.
     */
    takeCommitted(transitions: Transition[], contexts: Map<string, MessageContext>, leaseToken: string): void {
      let claimable = false;
      for (const transition of transitions) {
        const signing = contexts.get(transition.message.uuid)!.account.signing;
        for (const callback of transition.callbacks) {
          if (callback.lease?.token !== leaseToken) {
            // Written due: worth a claim only where there is a free slot for it now.
            claimable ||= !callback.blocked && slots.roomFor(callback.destination_key) > 0;
            continue;
          }
          const claimed = claimedFromNew(callback, signing);
          if (!running || !senders.serves(callback.destination_key) || !place(claimed)) handOver(claimed);
        }
      }
      if (handBack.size > 0) void returnHandedBack().then(wake);
      else if (claimable) wake();
    },
    /** Stops claiming, lets in-flight attempts finish and records their outcomes. */
    async stop(): Promise<void> {
      running = false;
      wake();
      await loopDone;
      // A finishing attempt may launch its destination's next claimed callback: wait for those too.
      while (attempts.size > 0) await Promise.allSettled([...attempts]);
      await flush();
      for (const callback of reserve.drain()) handOver(callback);
      await returnHandedBack();
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

function withParked(full: string[], parked: string[]): string[] {
  return parked.length === 0 ? full : [...new Set([...full, ...parked])];
}

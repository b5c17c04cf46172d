/**
 * A circuit breaker per destination: after `threshold` attempts in a row that must be retried
 * (refused, timed out, 5xx), the destination is left out of claims for a while — 1 s, doubling
 * up to `maxOpenMs` while it keeps failing. Then one probing attempt goes out (half open): a
 * failure reopens it, an answer closes it. So a receiver that is down costs one attempt per
 * interval instead of one attempt per waiting callback. Any answer that settles a
 * callback (delivered, or refused for good) closes it. Callbacks left out are not touched: they
 * stay due and go out, in order, once the destination answers again. State is per process.
 */
import type { Attempt } from '../store/store.js';

type AttemptOutcome = Attempt['outcome'];

export interface BreakerOptions {
  /** Consecutive retried attempts that open the breaker; 0 = never. */
  threshold: number;
  /** First open interval; it doubles while the destination keeps failing. */
  firstOpenMs: number;
  maxOpenMs: number;
}

export interface BreakerState {
  /** Retried attempts in a row since the last settling answer or opening. */
  failures: number;
  /** Open until this time (ms); absent = closed. */
  openUntil?: number;
  /** The last open interval, doubled at the next opening. */
  openMs?: number;
}

/** The breaker after one attempt's outcome; undefined = closed and clean (nothing to keep). */
export function nextBreakerState(state: BreakerState | undefined, outcome: AttemptOutcome, now: number, options: BreakerOptions): BreakerState | undefined {
  if (options.threshold === 0 || outcome === 'delivered' || outcome === 'failed') return undefined;
  const current = state ?? { failures: 0 };
  // Attempts that were already in flight when it opened do not extend the interval.
  if (current.openUntil !== undefined && current.openUntil > now) return current;
  // Half open (the interval passed, nothing has settled since): one failed probe reopens it.
  const halfOpen = current.openMs !== undefined;
  const failures = current.failures + 1;
  if (!halfOpen && failures < options.threshold) return { failures };
  const openMs = halfOpen ? Math.min(options.maxOpenMs, current.openMs! * 2) : options.firstOpenMs;
  return { failures: 0, openUntil: now + openMs, openMs };
}

export function createBreakers(options: BreakerOptions, now: () => number) {
  const states = new Map<string, BreakerState>();
  /** Half-open destinations with their one probing attempt in flight. */
  const probing = new Set<string>();
  const open = (key: string, t: number) => {
    const until = states.get(key)?.openUntil;
    return (until !== undefined && until > t) || probing.has(key);
  };
  return {
    /** An attempt to `key` starts: when the breaker is half open, it is the one probe. */
    launched(key: string): void {
      if (states.get(key)?.openMs !== undefined) probing.add(key);
    },
    /** Records an attempt's outcome; true when this outcome opened the breaker. */
    record(key: string, outcome: AttemptOutcome): boolean {
      probing.delete(key);
      const before = states.get(key);
      const after = nextBreakerState(before, outcome, now(), options);
      if (after) states.set(key, after);
      else states.delete(key);
      return after?.openUntil !== undefined && after.openUntil !== before?.openUntil;
    },
    /** Whether the destination takes no attempt now (open, or its probe is on its way). */
    isOpen: (key: string): boolean => open(key, now()),
    /** Destinations claims leave out now. */
    openKeys(): string[] {
      const t = now();
      return [...states.keys()].filter((key) => open(key, t));
    },
  };
}

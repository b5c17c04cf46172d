/**
 * Matching provider reports to messages when the report can overtake the answer that told us
 * the provider's id: an SMSC may send a receipt before our submit_sm_resp handler stored the
 * id, a webhook may arrive before the send request returned. A lookup that finds nothing waits
 * up to `holdMs` for the id to be announced, then asks the store once more.
 */
import type { Clock } from '../model/clock.js';

export interface EarlyReports {
  /** Finds what `find` finds, waiting up to holdMs if it finds nothing at first. */
  lookup<T>(ref: string, find: () => Promise<T | undefined>): Promise<T | undefined>;
  /**
   * The id `ref` is being stored and will be announced once what must come first (e.g. the
   * `submitted` status) is recorded: until then a lookup waits even if it finds it already.
   */
  expect(ref: string): void;
  /** The id `ref` is now stored: wakes lookups waiting for it. */
  announce(ref: string): void;
  /** Wakes every waiter (they look once more and give up). */
  stop(): void;
}

export function createEarlyReports(holdMs: number, clock: Clock): EarlyReports {
  const waiting = new Map<string, Set<() => void>>();
  const expected = new Set<string>();

  function wait(ref: string): { done: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const done = new Promise<void>((resolve) => (wake = resolve));
    const timer = clock.setTimeout(wake, holdMs);
    const set = waiting.get(ref) ?? new Set();
    set.add(wake);
    waiting.set(ref, set);
    const cancel = () => {
      clock.clearTimeout(timer);
      set.delete(wake);
      if (set.size === 0 && waiting.get(ref) === set) waiting.delete(ref);
    };
    return { done: done.then(cancel), cancel };
  }

  return {
    async lookup(ref, find) {
      // Registered before the first look, so an announcement in between is not missed.
      const waiter = wait(ref);
      const found = await find();
      if (found !== undefined && !expected.has(ref)) {
        waiter.cancel();
        return found;
      }
      if (holdMs === 0) {
        // No hold: stored but not yet announced counts as unknown, so the caller parks it.
        waiter.cancel();
        return undefined;
      }
      await waiter.done;
      return find();
    },
    expect(ref) {
      expected.add(ref);
    },
    announce(ref) {
      expected.delete(ref);
      for (const wake of waiting.get(ref) ?? []) wake();
    },
    stop() {
      expected.clear();
      for (const set of waiting.values()) for (const wake of set) wake();
    },
  };
}

/**
 * Time and randomness as one injectable dependency. Whatever reads the time, waits or draws a
 * random number (retry schedule and jitter, TTL, leases, provider timeouts) takes a Clock, so
 * tests can swap in a fake one and let a day pass in milliseconds.
 */

/** What Clock.setTimeout returns; only the same clock's clearTimeout understands it. */
export type TimerHandle = object;

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; undefined and timers that already ran are ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
  /** A number in [0, 1). */
  random(): number;
}

/** Real time, Node's timers and Math.random. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  random: () => Math.random(),
};

/** A small seeded PRNG (mulberry32): the same seed always gives the same numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A Clock for tests: time stands still until advance() moves it, running on the way every timer
 * that falls due, in order of due time; random() is seeded, so a run repeats exactly.
 */
import { seededRandom, type Clock, type TimerHandle } from '../../src/model/clock.js';

export interface FakeClock extends Clock {
  /** Moves time `ms` forward, running each timer due by then (also ones set meanwhile) at its due time. */
  advance(ms: number): void;
  /** Ms until the next pending timer; undefined when none is pending. */
  nextTimerIn(): number | undefined;
}

/** Where fake time starts unless told: a fixed moment years away from the real time. */
export const FAKE_EPOCH = Date.UTC(2020, 0, 1);

interface Timer {
  at: number;
  order: number;
  fn: () => void;
}

export function createFakeClock(options: { start?: number; seed?: number } = {}): FakeClock {
  let now = options.start ?? FAKE_EPOCH;
  let created = 0;
  const timers = new Map<TimerHandle, Timer>();

  /** The pending timer due first; of timers due together, the one set first. */
  function next(): [TimerHandle, Timer] | undefined {
    let first: [TimerHandle, Timer] | undefined;
    for (const entry of timers) {
      const [, timer] = entry;
      if (!first || timer.at < first[1].at || (timer.at === first[1].at && timer.order < first[1].order)) first = entry;
    }
    return first;
  }

  return {
    now: () => now,
    setTimeout(fn, ms) {
      const handle = {};
      timers.set(handle, { at: now + Math.max(0, ms || 0), order: created++, fn });
      return handle;
    },
    clearTimeout(handle) {
      if (handle) timers.delete(handle);
    },
    random: seededRandom(options.seed ?? 1),
    advance(ms) {
      const target = now + ms;
      for (let due = next(); due && due[1].at <= target; due = next()) {
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = target;
    },
    nextTimerIn() {
      const due = next();
      return due && due[1].at - now;
    },
  };
}

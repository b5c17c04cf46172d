/**
 * Claimed callbacks that found no free slot: written claimed by a commit in a burst, or brought
 * by a claim beyond the free slots. They wait here, still claimed, until their destination has
 * room, instead of going back to the outbox and being claimed again (two more row writes each), and
 * one claim serves several rounds of a destination's slots instead of a claim per freed slot.
 * They hold no slot, and only a destination that is flowing (an attempt to it ended within
 * `flowingMs`) gets a reserve: a hung or dead destination holds only its slots, and one that stops
 * flowing has its reserve handed back. The reserve is bounded per destination and in all; what
 * does not fit goes back to the outbox. A callback whose lease is running out goes back too
 * (`stale`), so it never starts with less than a whole attempt of its lease left.
 */
import type { ClaimedCallback } from '../store/store.js';

export interface ReserveLimits {
  /** Callbacks held for one destination. */
  perDestination: number;
  /** Callbacks held in all. */
  total: number;
  /** A callback with less than this much of its lease left may not start: it goes back. */
  minLeaseLeftMs: number;
  /** A destination is flowing while its last attempt ended at most this long ago. */
  flowingMs: number;
}

export function createReserve(limits: ReserveLimits) {
  /** Per destination, in the order the callbacks were committed (a claimed callback's `due_at` is its lease's end). */
  const byKey = new Map<string, ClaimedCallback[]>();
  let size = 0;
  /** When an attempt to each destination last ended. */
  const lastEnded = new Map<string, number>();
  const flowing = (key: string, now: number) => now - (lastEnded.get(key) ?? -Infinity) <= limits.flowingMs;
  let prunedAt = -Infinity;
  const roomFor = (key: string, now: number) =>
    flowing(key, now) ? Math.max(0, Math.min(limits.perDestination - (byKey.get(key)?.length ?? 0), limits.total - size)) : 0;

  return {
    get size(): number {
      return size;
    },
    /** How many more callbacks it may hold in all. */
    get room(): number {
      return limits.total - size;
    },
    /** An attempt to `key` ended: the destination is flowing. */
    ended(key: string, now: number): void {
      lastEnded.set(key, now);
    },
    /** How many more callbacks to `key` it may hold now. */
    roomFor,
    /** Destinations with callbacks waiting here. */
    keys: () => byKey.keys(),
    /** Keeps the callback; false when its destination is not flowing or has no room here (hand it back instead). */
    offer(callback: ClaimedCallback, now: number): boolean {
      if (roomFor(callback.destination_key, now) === 0) return false;
      const queue = byKey.get(callback.destination_key) ?? [];
      if (queue.length === 0) byKey.set(callback.destination_key, queue);
      queue.push(callback);
      size++;
      return true;
    },
    /** The oldest callback waiting for `key`. */
    take(key: string): ClaimedCallback | undefined {
      const queue = byKey.get(key);
      const callback = queue?.shift();
      if (!callback) return undefined;
      size--;
      if (queue!.length === 0) byKey.delete(key);
      return callback;
    },
    /**
     * Removes and returns the callbacks whose lease ends within `minLeaseLeftMs` of `now`, and
     * all those of destinations no longer flowing.
     */
    stale(now: number): ClaimedCallback[] {
      const out: ClaimedCallback[] = [];
      for (const [key, queue] of byKey) {
        // Committed in order with one lease length, so the stale ones are at the front.
        const firstFresh = !flowing(key, now) ? -1 : queue.findIndex((callback) => (callback.due_at ?? 0) - now >= limits.minLeaseLeftMs);
        if (firstFresh === 0) continue;
        out.push(...queue.splice(0, firstFresh === -1 ? queue.length : firstFresh));
        if (queue.length === 0) byKey.delete(key);
      }
      size -= out.length;
      if (now - prunedAt > limits.flowingMs) {
        prunedAt = now;
        for (const key of lastEnded.keys()) if (!flowing(key, now)) lastEnded.delete(key);
      }
      return out;
    },
    /** Removes and returns everything (the dispatcher is stopping). */
    drain(): ClaimedCallback[] {
      const out = [...byKey.values()].flat();
      byKey.clear();
      size = 0;
      return out;
    },
  };
}

export type Reserve = ReturnType<typeof createReserve>;

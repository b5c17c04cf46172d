/**
 * Slot accounting per destination in one process: at most `perDestination` attempts in flight
 * and as many again claimed and waiting, plus slots reserved for callbacks being committed
 * (handoff.ts). A slow or dead destination can never hold more than its own slots.
 */
import type { ClaimedCallback } from '../store/store.js';

interface Lane {
  inFlight: number;
  waiting: ClaimedCallback[];
}

export function createLanes(perDestination: number, maxHeld: number) {
  const lanes = new Map<string, Lane>();
  const reserved = new Map<string, number>();
  let held = 0;
  let reservedTotal = 0;

  const load = (key: string) => {
    const lane = lanes.get(key);
    return (lane ? lane.inFlight + lane.waiting.length : 0) + (reserved.get(key) ?? 0);
  };

  return {
    /** Free process-wide slots for a claim. */
    room: () => maxHeld - held - reservedTotal,
    /** Destinations with no room left here: claims skip them. */
    fullKeys: () => [...new Set([...lanes.keys(), ...reserved.keys()])].filter((key) => load(key) >= perDestination),
    reserve(key: string): boolean {
      if (held + reservedTotal >= maxHeld || load(key) >= perDestination) return false;
      reserved.set(key, (reserved.get(key) ?? 0) + 1);
      reservedTotal++;
      return true;
    },
    unreserve(key: string): void {
      const left = (reserved.get(key) ?? 1) - 1;
      if (left > 0) reserved.set(key, left);
      else reserved.delete(key);
      reservedTotal--;
    },
    /** Takes a claimed callback; true when it may start now, false when it waits its turn. */
    admit(callback: ClaimedCallback): boolean {
      let lane = lanes.get(callback.destination_key);
      if (!lane) lanes.set(callback.destination_key, (lane = { inFlight: 0, waiting: [] }));
      held++;
      if (lane.inFlight >= perDestination) {
        lane.waiting.push(callback);
        return false;
      }
      lane.inFlight++;
      return true;
    },
    /**
     * An attempt to `key` ended. Returns the waiting callback that starts in its place, and
     * whether the destination just got room again (so a claim for it is worthwhile).
     */
    finish(key: string): { next?: ClaimedCallback; reopened: boolean } {
      const lane = lanes.get(key)!;
      held--;
      const next = lane.waiting.shift();
      if (!next) lane.inFlight--;
      if (lane.inFlight === 0) lanes.delete(key);
      return { next, reopened: load(key) === perDestination - 1 };
    },
  };
}

/**
 * Slot accounting per destination in one process: at most `perDestination` callbacks held
 * (in flight or claimed and waiting their turn), and `maxHeld` across all destinations. A slow
 * or dead destination can never hold more than its own slots.
 */
import type { ClaimedCallback } from '../store/store.js';

interface Lane {
  inFlight: number;
  waiting: ClaimedCallback[];
}

export function createLanes(perDestination: number, maxHeld: number) {
  const lanes = new Map<string, Lane>();
  let held = 0;

  const load = (key: string) => {
    const lane = lanes.get(key);
    return lane ? lane.inFlight + lane.waiting.length : 0;
  };

  return {
    /** Free process-wide slots for a claim. */
    room: () => maxHeld - held,
    /** Destinations with no room left here: claims skip them. */
    fullKeys: () => [...lanes.keys()].filter((key) => load(key) >= perDestination),
    /** Whether one more callback to `key` may be held here now. */
    hasRoom: (key: string) => held < maxHeld && load(key) < perDestination,
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

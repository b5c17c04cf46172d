/**
 * Slot accounting per destination in one process: at most `perDestination` callbacks held
 * (in flight or claimed and waiting their turn), and `maxHeld` across all destinations. A slow
 * or dead destination can never hold more than its own slots.
 */
import type { ClaimedCallback } from '../store/store.js';

interface DestinationSlots {
  inFlight: number;
  waiting: ClaimedCallback[];
}

export function createSlots(perDestination: number, maxHeld: number) {
  const destinations = new Map<string, DestinationSlots>();
  let held = 0;

  const load = (key: string) => {
    const entry = destinations.get(key);
    return entry ? entry.inFlight + entry.waiting.length : 0;
  };

  return {
    /** Free process-wide slots for a claim. */
    room: () => maxHeld - held,
    /** Destinations with no room left here: claims skip them. */
    fullKeys: () => [...destinations.keys()].filter((key) => load(key) >= perDestination),
    /** How many more callbacks to `key` may be held here now. */
    roomFor: (key: string) => Math.max(0, Math.min(maxHeld - held, perDestination - load(key))),
    /** Takes a claimed callback; true when it may start now, false when it waits its turn. */
    admit(callback: ClaimedCallback): boolean {
      let entry = destinations.get(callback.destination_key);
      if (!entry) destinations.set(callback.destination_key, (entry = { inFlight: 0, waiting: [] }));
      held++;
      if (entry.inFlight >= perDestination) {
        entry.waiting.push(callback);
        return false;
      }
      entry.inFlight++;
      return true;
    },
    /**
     * An attempt to `key` ended. Returns the waiting callback that starts in its place, and
     * whether the destination just got room again (so a claim for it is worthwhile).
     */
    finish(key: string): { next?: ClaimedCallback; reopened: boolean } {
      const entry = destinations.get(key)!;
      held--;
      const next = entry.waiting.shift();
      if (!next) entry.inFlight--;
      if (entry.inFlight === 0) destinations.delete(key);
      return { next, reopened: load(key) === perDestination - 1 };
    },
  };
}

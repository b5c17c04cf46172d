/**
 * Slot accounting per destination in one process: at most `perDestination` attempts held
 * (in flight or claimed and waiting their turn), and `maxHeld` across all destinations. A slow
 * or dead destination can never hold more than its own slots. A batched destination's attempt
 * carries up to its items per attempt (model/destination.ts itemsPerAttempt), so it holds that
 * many times as many callbacks, each taking that fraction of a slot.
 */
import type { ClaimedCallback } from '../store/store.js';
import { itemsPerAttempt } from '../model/destination.js';

interface DestinationSlots {
  /** Callbacks the destination may hold. */
  capacity: number;
  inFlight: number;
  waiting: ClaimedCallback[];
}

/** Adding and taking away fractions of slots leaves rounding dust; no count of slots needs more digits. */
export const roundSlots = (value: number) => Math.round(value * 1e9) / 1e9;

export function createSlots(perDestination: number, maxHeld: number) {
  const destinations = new Map<string, DestinationSlots>();
  /** Slots held, in attempts: fractional while batched destinations hold callbacks. */
  let held = 0;
  const heldNow = () => roundSlots(held);

  const load = (entry: DestinationSlots | undefined) => (entry ? entry.inFlight + entry.waiting.length : 0);
  const capacityOf = (key: string) => destinations.get(key)?.capacity ?? perDestination * itemsPerAttempt(key);

  return {
    /** Free process-wide slots for a claim. */
    room: () => maxHeld - heldNow(),
    /** Destinations with no room left here: claims skip them. */
    fullKeys: () => [...destinations].filter(([, entry]) => load(entry) >= entry.capacity).map(([key]) => key),
    /** How many more callbacks to `key` may be held here now. */
    roomFor: (key: string) =>
      Math.max(0, Math.floor(Math.min((maxHeld - heldNow()) * itemsPerAttempt(key), capacityOf(key) - load(destinations.get(key))))),
    /** The share of a slot one callback to `key` takes. */
    weight: (key: string) => 1 / itemsPerAttempt(key),
    /** Takes a claimed callback; true when it may start now, false when it waits its turn. */
    admit(callback: ClaimedCallback): boolean {
      const key = callback.destination_key;
      let entry = destinations.get(key);
      if (!entry) destinations.set(key, (entry = { capacity: capacityOf(key), inFlight: 0, waiting: [] }));
      held += 1 / itemsPerAttempt(key);
      if (entry.inFlight >= entry.capacity) {
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
      held -= 1 / itemsPerAttempt(key);
      const next = entry.waiting.shift();
      if (!next) entry.inFlight--;
      if (entry.inFlight === 0) destinations.delete(key);
      return { next, reopened: load(entry) === entry.capacity - 1 };
    },
  };
}

/**
 * Fair share between accounts in one process. Every account is guaranteed `share` slots: an
 * account that holds that many callbacks (in flight or waiting in a lane) may take another only
 * while more than `share` slots of MAX_IN_FLIGHT stay free for the others. So one account's slow
 * or dead destinations can take at most MAX_IN_FLIGHT − share slots, and any other account finds
 * room at once, while an account alone on the process still uses nearly all of it.
 * What a blocked account's claim brought in goes back to the outbox, and the destinations it was
 * for are left out of claims until the account may take more. Slots are counted as slots.ts
 * counts them: a callback to a batched destination takes a fraction of one (`weight`).
 */
import { roundSlots } from './slots.js';

export interface AccountShare {
  /** Whether the account may not take another slot now (`room`: free slots in the process). */
  blocked(accountId: string, room: number): boolean;
  /** One more callback held for the account, taking `weight` of a slot. */
  take(accountId: string, weight: number): void;
  /**
   * One callback of the account finished, giving back `weight` (`room`: free slots after it).
   * True when destinations left out of claims may be claimed again.
   */
  release(accountId: string, weight: number, room: number): boolean;
  /** A callback to `key` was handed back because its account was blocked: skip the key in claims. */
  park(accountId: string, key: string): void;
  /**
   * Destinations of blocked accounts (`room`: free slots now): claims leave them out. An account
   * no longer blocked has its destinations back, even when none of its own callbacks released a
   * slot (all it holds may be hanging).
   */
  excludedKeys(room: number): string[];
}

export function createAccountShare(share: number): AccountShare {
  const held = new Map<string, number>();
  const parked = new Map<string, Set<string>>();
  const blocked = (accountId: string, room: number) => (held.get(accountId) ?? 0) >= share && room <= share;
  return {
    blocked,
    take(accountId, weight) {
      held.set(accountId, roundSlots((held.get(accountId) ?? 0) + weight));
    },
    release(accountId, weight, room) {
      const left = roundSlots((held.get(accountId) ?? weight) - weight);
      if (left <= 0) held.delete(accountId);
      else held.set(accountId, left);
      if (parked.size === 0) return false;
      if (room > share) {
        parked.clear();
        return true;
      }
      return left < share && parked.delete(accountId);
    },
    park(accountId, key) {
      let keys = parked.get(accountId);
      if (!keys) parked.set(accountId, (keys = new Set()));
      keys.add(key);
    },
    excludedKeys(room) {
      if (parked.size === 0) return [];
      const out: string[] = [];
      for (const [accountId, keys] of parked) {
        if (blocked(accountId, room)) out.push(...keys);
        else parked.delete(accountId);
      }
      return out;
    },
  };
}

/** The default share: a quarter of the process, never less than one destination's slots. */
export function defaultAccountShare(perDestination: number, maxInFlight: number): number {
  return Math.max(perDestination, Math.floor(maxInFlight / 4));
}

/**
 * The hot path: callbacks this process creates go straight to its own dispatcher, stored
 * already claimed (in flight, with a lease), which saves a claim round trip per callback.
 * Only the first unfinished callback of a lane (message + destination) may go, and only while
 * this node serves the destination and it has room here; the rest wait in the outbox for the
 * claim loop (of this node or of the one that serves the destination).
 */
import type { ClaimedCallback, MessageContext, NewCallback, Transition } from '../store/store.js';

export interface HandOffTarget {
  /** Takes a slot for a callback to this destination, if this node serves it and there is room. */
  reserve(destinationKey: string): boolean;
  leaseMs: number;
}

export function handOff(
  transitions: Transition[],
  contexts: Map<string, MessageContext>,
  target: HandOffTarget,
  token: string,
  now: number,
): ClaimedCallback[] {
  const lease = { token, until: now + target.leaseMs };
  const adopted: ClaimedCallback[] = [];
  for (const transition of transitions) {
    const context = contexts.get(transition.message.uuid);
    if (!context) continue;
    for (const callback of transition.callbacks) {
      if (callback.blocked || !target.reserve(callback.destination_key)) continue;
      callback.lease = lease;
      adopted.push(claimedFrom(callback, lease, context.account.signing));
    }
  }
  return adopted;
}

function claimedFrom(callback: NewCallback, lease: { token: string; until: number }, signing: ClaimedCallback['signing']): ClaimedCallback {
  const { lease: _lease, ...fields } = callback;
  return { ...fields, state: 'inflight', attempts: 1, due_at: lease.until, lease_token: lease.token, signing };
}

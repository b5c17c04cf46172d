/**
 * Batched delivery (README, "Batched delivery"): callbacks to a batched URL destination are
 * gathered per account, URL and format (one signing secret, one receiver, one body format) until
 * max_items are there, or max_wait_ms after the first arrived (0: at the end of the current
 * tick); then one attempt carries them all and every member's send() resolves with its outcome.
 */
import { createHash } from 'node:crypto';
import type { BatchSettings } from '../model/destination.js';
import type { ClaimedCallback } from '../store/store.js';
import type { Decision } from './retry-policy.js';

/**
 * What the members of one batched attempt share. Dispatch makes one retry decision for all of
 * them, at the first member's outcome, and keeps it here for the others.
 */
export interface BatchShare {
  /** The batch id (batchId): the `webhook-id`. */
  id: string;
  size: number;
  /** The most attempts any member has made, and the oldest member's creation time: the batch is retried within its oldest item's window. */
  attempts: number;
  createdAt: number;
  decision?: Decision;
}

export interface Batch {
  share: BatchShare;
  /** Sorted by id, so the same members always make the same body. */
  members: ClaimedCallback[];
  /** When the first member was handed over (the attempt's time). */
  now: number;
}

/**
 * The batch id: a UUID-formatted (version 8) SHA-256 of the sorted member ids. A retry carrying
 * the same callbacks carries the same id, as a single callback's retry carries its callback id.
 */
export function batchId(memberIds: readonly string[]): string {
  const hex = createHash('sha256').update([...memberIds].sort().join('\n')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Group<T> {
  members: Array<{ callback: ClaimedCallback; resolve: (outcome: T) => void }>;
  now: number;
  cancel: () => void;
}

export function createBatcher<T>(send: (batch: Batch) => Promise<T>) {
  const open = new Map<string, Group<T>>();

  function flush(key: string): void {
    const group = open.get(key);
    if (!group) return;
    open.delete(key);
    group.cancel();
    const members = group.members.map((member) => member.callback).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const share: BatchShare = {
      id: batchId(members.map((member) => member.id)),
      size: members.length,
      attempts: Math.max(...members.map((member) => member.attempts)),
      createdAt: Math.min(...members.map((member) => member.created_at)),
    };
    void send({ share, members, now: group.now }).then((outcome) => {
      for (const member of group.members) member.resolve(outcome);
    });
  }

  function timerFor(key: string, waitMs: number): () => void {
    if (waitMs === 0) {
      const immediate = setImmediate(() => flush(key));
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => flush(key), waitMs);
    return () => clearTimeout(timer);
  }

  return {
    /** Adds a callback to its batch; resolves with the outcome of the attempt that carried it. */
    add(callback: ClaimedCallback, settings: BatchSettings, now: number): Promise<T> {
      const destination = callback.destination as { url: string };
      const key = `${callback.account_id}\n${destination.url}\n${callback.format}`;
      let group = open.get(key);
      if (!group) open.set(key, (group = { members: [], now, cancel: timerFor(key, settings.max_wait_ms) }));
      const outcome = new Promise<T>((resolve) => group.members.push({ callback, resolve }));
      if (group.members.length >= settings.max_items) flush(key);
      return outcome;
    },
    /** Sends every open batch now (shutdown: nothing waits for a timer). */
    flushAll(): void {
      for (const key of [...open.keys()]) flush(key);
    },
  };
}

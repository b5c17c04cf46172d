/**
 * Durable commits without stopping the event loop. better-sqlite3 runs everything on the calling
 * thread, so SQLite's own `synchronous = FULL` makes the whole process wait for the disk at every
 * commit. Instead the store commits with NORMAL (the WAL is written, not yet flushed) and then
 * flushes the WAL file on libuv's thread pool; an acknowledging write's promise resolves only
 * after a flush that started after its commit, so nothing is acknowledged before it is on disk.
 * Commits made while a flush runs share the next one (group commit).
 * SQLite recovers committed transactions from a flushed WAL on the next open; frames of a
 * transaction whose flush did not finish were never acknowledged.
 */
import fs from 'node:fs/promises';

export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  /** Resolves once every flush already asked for has finished (nothing new is flushed). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** `flush` is the disk flush of the WAL file (injected by tests; by default fdatasync of `walFile`). */
export function createWalSync(walFile: string, flush?: () => Promise<void>): WalSync {
  let handle: fs.FileHandle | undefined;
  const flushWal = flush ?? (async () => {
    // The WAL file lives as long as the store's connection, so one handle serves them all.
    handle ??= await fs.open(walFile, 'r+');
    await handle.datasync();
  });
  /** The flush running now. */
  let running: Promise<void> | undefined;
  /** The flush that starts when `running` ends: it covers the commits made meanwhile. */
  let queued: Promise<void> | undefined;

  function start(): Promise<void> {
    const flushing = flushWal();
    running = flushing;
    const done = () => {
      if (running === flushing) running = undefined;
    };
    flushing.then(done, done);
    return flushing;
  }

  return {
    sync() {
      if (queued) return queued;
      if (!running) return start();
      queued = running.then(noop, noop).then(() => {
        queued = undefined;
        return start();
      });
      return queued;
    },
    async settled() {
      await (queued ?? running)?.catch(noop);
    },
    async close() {
      await this.settled();
      await handle?.close();
      handle = undefined;
    },
  };
}

const noop = () => undefined;

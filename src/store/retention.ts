/**
 * Retention: every `intervalMs`, deletes history older than RETENTION_DAYS in batches of
 * `batch` messages (Store.purge, one short transaction each), yielding between batches so
 * dispatch and intake keep the database. Messages still waiting on a callback are kept.
 */
import { IDEMPOTENCY_WINDOW_MS, type PurgeCounts, type Store } from './store.js';
import type { RetentionConfig } from './options.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionHooks {
  now: () => number;
  onPurged: (counts: PurgeCounts) => void;
  onError: (error: unknown) => void;
}

export function startRetention(store: Store, config: RetentionConfig, hooks: RetentionHooks) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function sweep(): Promise<void> {
    while (!stopped) {
      const now = hooks.now();
      const counts = await store.purge({
        finishedBefore: config.days > 0 ? now - config.days * DAY_MS : -Infinity,
        keysBefore: now - IDEMPOTENCY_WINDOW_MS,
        limit: config.batch,
      });
      hooks.onPurged(counts);
      if (Math.max(counts.messages, counts.media, counts.parkedReports, counts.idempotencyKeys) < config.batch) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().catch(hooks.onError).finally(schedule);
    }, config.intervalMs);
  }

  schedule();
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

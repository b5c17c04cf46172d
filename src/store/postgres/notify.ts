import type pg from 'pg';
import { OUTBOX_CHANNEL, openClient } from './database.js';

const RECONNECT_MS = 1_000;

/**
 * LISTENs for new outbox rows on one dedicated connection and calls every listener.
 * Transitions NOTIFY inside their transaction, so the wake-up arrives after the rows are
 * visible. If the connection drops it reconnects and wakes everyone once, since notifications
 * sent in between are lost; the dispatcher's poll interval covers the gap.
 */
export function outboxNotifications(url: string) {
  const listeners = new Set<() => void>();
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let started = false;

  const fire = () => {
    for (const listener of listeners) listener();
  };

  function reconnectLater(failed: pg.Client): void {
    failed.removeAllListeners();
    failed.on('error', () => {});
    void failed.end().catch(() => {});
    if (client === failed) client = undefined;
    if (!closed && !retry) retry = setTimeout(connect, RECONNECT_MS);
  }

  async function connect(): Promise<void> {
    retry = undefined;
    if (closed) return;
    const next = openClient(url);
    next.on('notification', fire);
    next.on('error', () => reconnectLater(next));
    next.on('end', () => reconnectLater(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch {
      reconnectLater(next);
      return;
    }
    if (closed) return void next.end().catch(() => {});
    client = next;
    fire();
  }

  return {
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      if (!started) {
        started = true;
        void connect();
      }
      return () => listeners.delete(listener);
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(retry);
      listeners.clear();
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {});
      }
    },
  };
}

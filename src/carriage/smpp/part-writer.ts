/**
 * Part writes gathered per tick into one store call: submit_sm_resp and receipts arrive in
 * bursts of a window's size, and one transaction for the burst costs about what one write does.
 * Each caller's promise resolves once its part is stored.
 */
import type { MessagePart, Store } from '../../store/store.js';

export function createPartWriter(store: Pick<Store, 'saveMessageParts'>) {
  let batch: Array<{ part: MessagePart; done: (error?: unknown) => void }> = [];

  async function flush(): Promise<void> {
    const current = batch;
    batch = [];
    try {
      await store.saveMessageParts(current.map((item) => item.part));
      for (const item of current) item.done();
    } catch (error) {
      for (const item of current) item.done(error);
    }
  }

  return function save(part: MessagePart): Promise<void> {
    return new Promise((resolve, reject) => {
      if (batch.length === 0) setImmediate(() => void flush());
      batch.push({ part, done: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  };
}

export type PartWriter = ReturnType<typeof createPartWriter>;

/** Carriage: which connector carries which channel, and picking up open messages after a restart. */
import type { Carrier } from './carrier.js';
import type { Message } from '../model/types.js';
import type { Store } from '../store/store.js';
import type { Channel } from '../model/vocabulary.js';

export interface Carriage {
  submit(message: Message): void;
  /** Hands every open (non-terminal) message back to its connector; returns how many. */
  resumeOpen(store: Store): Promise<number>;
  stop(): Promise<void>;
}

export function createCarriage(byChannel: Record<Channel, Carrier>): Carriage {
  const carriers = new Set(Object.values(byChannel));
  return {
    submit: (message) => byChannel[message.channel].submit(message),
    async resumeOpen(store) {
      let count = 0;
      let after: Message | undefined;
      for (;;) {
        const page = await store.listOpen(1_000, after);
        for (const message of page) byChannel[message.channel].resume(message);
        count += page.length;
        if (page.length < 1_000) return count;
        after = page[page.length - 1];
      }
    },
    async stop() {
      await Promise.all([...carriers].map((carrier) => carrier.stop()));
    },
  };
}

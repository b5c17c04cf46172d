import type { RawStore } from '../store.js';
import { migrate, openPool } from './database.js';
import { accountQueries } from './accounts.js';
import { messageQueries } from './messages.js';
import { outboxQueries } from './outbox.js';
import { transitionQuery } from './transition.js';
import { providerPartQueries } from './provider-parts.js';
import { accessTokenQueries } from './access-tokens.js';
import { outboxNotifications } from './notify.js';
import { smppQueries } from './smpp.js';
import { retentionQueries } from './retention.js';

export interface PostgresStoreOptions {
  /** Pooled connections of this process (the LISTEN connection comes on top). */
  poolSize?: number;
}

/**
 * The networked store: several statusrelay nodes share one database. Every method is one
 * statement, or one transaction on one pooled connection; dispatch claims with SKIP LOCKED
 * and transitions wake the other nodes with NOTIFY.
 */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): RawStore {
  const pool = openPool(url, { size: options.poolSize ?? 10 });
  const notifications = outboxNotifications(url);
  return {
    kind: 'postgres',
    migrate: () => migrate(pool),
    async close() {
      await notifications.close();
      await pool.end();
    },
    ...accountQueries(pool),
    ...messageQueries(pool),
    ...outboxQueries(pool),
    ...providerPartQueries(pool),
    ...accessTokenQueries(pool),
    ...smppQueries(pool),
    ...retentionQueries(pool),
    transition: transitionQuery(pool),
    onOutboxChange: (listener) => notifications.subscribe(listener),
  };
}

/** What the suite is given by the composition root. */
import type { Store } from '../../store/store.js';
import type { AcceptManyPort } from '../accept.js';
import type { AddressPolicy } from '../../model/address.js';
import type { Destination, Format } from '../../model/destination.js';
import type { Account } from '../../store/store.js';

/** What a receiver made of a sample callback: the attempt's verdict, as dispatch records one. */
export interface TestCallbackOutcome {
  verdict: 'delivered' | 'retry' | 'failed';
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** Sends one signed sample callback to a destination now, outside the outbox (nothing is stored). */
export type TestCallbackPort = (account: Account, destination: Destination, format: Format) => Promise<TestCallbackOutcome>;

export interface SuiteDeps {
  store: Store;
  /** Stores the recipients of one send together (intake/accept.ts). */
  acceptMany: AcceptManyPort;
  now: () => number;
  newId: () => string;
  /** Wakes dispatch after a replay made callbacks due. */
  wakeDispatch: () => void;
  /** The destination guard, as for the REST API. */
  addressPolicy?: AddressPolicy;
  /** SQS_ENDPOINT and SQS_SHARED_IDENTITY_ACCOUNTS, as for the REST API. */
  sqsEndpoint?: string;
  sqsSharedIdentityAccounts: readonly string[];
  /** RETENTION_DAYS (0 = kept for ever): the Account page says how far back history goes. */
  retentionDays: number;
  sendTestCallback: TestCallbackPort;
  /** How often the Sent page's live view looks for status changes (ms). */
  livePollMs?: number;
}

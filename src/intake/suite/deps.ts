/** What the suite is given by the composition root. */
import type { Store } from '../../store/store.js';
import type { AcceptManyPort } from '../accept.js';
import type { AddressPolicy } from '../../model/address.js';

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
  /** SQS_ENDPOINT, as for the REST API. */
  sqsEndpoint?: string;
  /** How often the Sent page's live view looks for status changes (ms). */
  livePollMs?: number;
}

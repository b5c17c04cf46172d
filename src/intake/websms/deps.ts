/** What the websms and legacy XML routes are given by the composition root. */
import type { Store } from '../../store/store.js';
import type { AcceptManyPort } from '../accept.js';
import type { AddressPolicy } from '../../model/address.js';

export interface WebsmsDeps {
  /** Stores the messages of one request together (intake/accept.ts). */
  acceptMany: AcceptManyPort;
  store: Store;
  now: () => number;
  /** A new message id (time-ordered UUID); the first of a transfer also names the transfer. */
  newId: () => string;
  /** The destination guard's policy: which notification URLs are refused at once. */
  addressPolicy: AddressPolicy;
}

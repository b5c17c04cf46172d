/** What the websms and legacy XML routes are given by the composition root. */
import type { Store } from '../../store/store.js';
import type { AcceptPort } from '../accept.js';

export interface WebsmsDeps {
  accept: AcceptPort;
  store: Store;
  now: () => number;
  /** A new message id (time-ordered UUID); the first of a transfer also names the transfer. */
  newId: () => string;
}

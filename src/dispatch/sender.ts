/** What every destination sender (HTTP, e-mail, SQS, SMPP) offers dispatch. */
import type { ClaimedCallback } from '../store/store.js';
import type { DestinationType } from '../model/destination.js';
import type { SendOutcome } from './senders/http.js';

export type { SendOutcome };

export interface Sender {
  /** One attempt. Never throws: every failure is a verdict with a reason. */
  send(callback: ClaimedCallback, now: number): Promise<SendOutcome>;
  close(): Promise<void>;
  /**
   * The destination keys of its type this node can deliver to, asked before every claim (an
   * SMPP sender: `smpp:<system_id>` of the sessions bound here). Absent: every key of its type.
   */
  servedKeys?(): ReadonlySet<string>;
}

/** This node's senders, one per destination type: the entries of its sender registry. */
export type Senders = Partial<Record<DestinationType, Sender>>;

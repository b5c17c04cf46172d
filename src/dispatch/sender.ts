/** What every destination sender (HTTP, e-mail, SQS, SMPP) offers dispatch. */
import type { ClaimedCallback } from '../store/store.js';
import type { DestinationType } from '../model/destination.js';
import type { SendOutcome } from './senders/http.js';

export type { SendOutcome };

export interface Sender {
  /** One attempt. Never throws: every failure is a verdict with a reason. */
  send(callback: ClaimedCallback, now: number): Promise<SendOutcome>;
  close(): Promise<void>;
}

export type Senders = Partial<Record<DestinationType, Sender>>;

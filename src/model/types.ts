/** Plain data shapes shared by the pipeline stages. No behaviour lives here. */
import type { Channel, InterfaceName, MessageState, MessageType, Status } from './vocabulary.js';
import type { Destination } from './destination.js';

export interface Usage {
  currency: string;
  /** A decimal string, as in the public API ("0.0333"). */
  price: string;
}

export interface ErrorObject {
  type: string;
  title: string;
  detail: string;
  instance: string;
}

export interface Workflow {
  workflow_id: string;
  items_number: string;
  items_total: string;
}

/** One fallback item of a failover request: the same shape as a message request, minus failover. */
export interface MessageContent {
  channel: Channel;
  message_type: MessageType;
  to: string;
  from: string;
  text?: string;
  image_url?: string;
  client_ref?: string;
  webhook_url?: string;
  ttl?: number;
}

/** A message as stored: one item of a workflow (a message without failover is a workflow of one). */
export interface Message extends MessageContent {
  uuid: string;
  account_id: string;
  /** The customer interface it came in through. */
  interface: InterfaceName;
  /**
   * Where the interface sends receipts back, when it fixes that per message (the sender's
   * address for the e-mail interface, the customer's session for SMPP).
   */
  return_to?: Destination;
  /**
   * Receipts the sender asked for, where the interface lets them choose (e-mail interface: a delivery
   * notification request = `delivered`, a read receipt request = `read`).
   * Absent = the interface asks for everything, as the REST API does.
   */
  receipt_request?: Array<'delivered' | 'read'>;
  /**
   * Exactly the statuses forwarded for this message, where the interface decides that per message
   * (e-mail interface: what the receipt requests ask for plus the failures unless NOTIFY=NEVER).
   * Present, it replaces the receipt_request rule in routing; the account's rules still apply.
   */
  receipt_statuses?: Status[];
  /** The Message-ID of the mail it came in as (e-mail interface): receipts thread under it. */
  origin_message_id?: string;
  /**
   * The interface's own id of the request this message came in with (websms and legacy XML:
   * the `transferId`, shared by every recipient of one request). Its delivery reports carry it.
   */
  transfer_id?: string;
  state: MessageState;
  /** Every status recorded so far, in arrival order (dedup and reconciliation use it). */
  seen: Status[];
  workflow?: Workflow;
  /** Items still to try if this one is rejected, in order. */
  failover: MessageContent[];
  /** Epoch ms after which an unsettled message is rejected with 1360. */
  expires_at?: number;
  /** The provider's id for the message (e.g. the SMSC message id). */
  provider_ref?: string;
  created_at: number;
  updated_at: number;
}

/** Extra facts a provider report may carry into the callback. */
export interface ReportDetails {
  usage?: Usage;
  error?: ErrorObject;
  network_code?: string;
  sms?: { count_total: string; segments?: Array<Record<string, string>> };
  whatsapp?: Record<string, unknown>;
  profile?: Record<string, unknown>;
  /** websms as the provider: `delivered_as` (sms, push, failover-sms, voice). */
  websms?: Record<string, unknown>;
}

/** A provider's report, normalized by carriage: "message X reached status S at time T". */
export interface ProviderReport extends ReportDetails {
  message_uuid: string;
  status: Status;
  /** When the provider says it happened (epoch ms). */
  occurred_at: number;
  /** Which connector produced it ("simulator", "smpp", "whatsapp", "ttl", ...). */
  source: string;
}

/** A recorded status event. `forwarded` is false for late reports kept only for history. */
export interface StatusEvent extends ReportDetails {
  message_uuid: string;
  /** 1-based position in the message's history; orders callbacks per message. */
  seq: number;
  status: Status;
  occurred_at: number;
  recorded_at: number;
  source: string;
  forwarded: boolean;
  /** True when the state machine inferred it (a `delivered` implied by `read`). */
  implied: boolean;
}

/** The callback body (docs/callbacks.md), before formatting. */
export interface CallbackPayload {
  message_uuid: string;
  to: string;
  from: string;
  timestamp: string;
  status: Status;
  channel: Channel;
  client_ref?: string;
  usage?: Usage;
  destination?: { network_code: string };
  error?: ErrorObject;
  workflow?: Workflow;
  sms?: ReportDetails['sms'];
  whatsapp?: Record<string, unknown>;
  profile?: Record<string, unknown>;
  websms?: Record<string, unknown>;
}

/**
 * What became of one report: `changed` the message, arrived `late` (kept for history only), was
 * a `duplicate`, was `invalid` for the message's state, or named an `unknown` message.
 */
export type ReportVerdict = 'changed' | 'late' | 'duplicate' | 'invalid' | 'unknown';

export interface RecordResult {
  verdict: ReportVerdict;
  reason?: string;
}

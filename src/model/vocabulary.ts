/**
 * The status vocabulary of statusrelay, defined once.
 *
 * - channel: the network a message travels on, spelled as on the wire.
 * - status: what a customer is told about a message. `submitted` = handed to the provider,
 *   `delivered` = on the handset, `read` = opened (OTT channels and RCS only),
 *   `rejected` = refused (bad input, provider refusal, TTL ran out), `undeliverable` = the
 *   platform could not reach the provider. `rejected` and `undeliverable` carry an error object.
 * - state: a status, or `accepted` (stored, not yet handed to a provider; the suite's
 *   "in delivery"). `accepted` is never forwarded.
 * - interface: the customer interface a message came in through (REST API, SMPP, e-mail, the
 *   suite, ...); it decides where its statuses may go (model/interfaces.ts).
 * - section: forwarding rules are kept per section: `sms` (SMS and MMS receipts) and `ott`
 *   (status changes of WhatsApp, Viber, Messenger and RCS).
 */

export const CHANNELS = Object.freeze(['sms', 'mms', 'rcs', 'whatsapp', 'viber_service', 'messenger'] as const);
export type Channel = (typeof CHANNELS)[number];

export const STATUSES = Object.freeze(['submitted', 'delivered', 'read', 'rejected', 'undeliverable'] as const);
export type Status = (typeof STATUSES)[number];

export type MessageState = 'accepted' | Status;

export const INTERFACE_NAMES = Object.freeze(['suite', 'api', 'email', 'smpp', 'outlook', 'legacy_xml', 'websms'] as const);
export type InterfaceName = (typeof INTERFACE_NAMES)[number];

export const SECTIONS = Object.freeze(['sms', 'ott'] as const);
export type Section = (typeof SECTIONS)[number];

/** SMS and MMS have receipts; every other channel has OTT status changes. */
export function sectionOf(channel: Channel): Section {
  return channel === 'sms' || channel === 'mms' ? 'sms' : 'ott';
}

export const MESSAGE_TYPES = Object.freeze(['text', 'image'] as const);
export type MessageType = (typeof MESSAGE_TYPES)[number];

interface ChannelTraits {
  /** Statuses a provider of this channel can report. */
  readonly statuses: readonly Status[];
  /** The status that carries `usage` (where the message is charged). */
  readonly billableOn: Status;
  readonly messageTypes: readonly MessageType[];
}

const OTT: ChannelTraits = Object.freeze({
  statuses: STATUSES,
  billableOn: 'delivered',
  messageTypes: MESSAGE_TYPES,
});
const CARRIER: ChannelTraits = Object.freeze({
  statuses: Object.freeze(['submitted', 'delivered', 'rejected', 'undeliverable'] as Status[]),
  billableOn: 'submitted',
  messageTypes: Object.freeze(['text'] as MessageType[]),
});

export const CHANNEL_TRAITS: Readonly<Record<Channel, ChannelTraits>> = Object.freeze({
  sms: CARRIER,
  mms: Object.freeze({ ...CARRIER, messageTypes: MESSAGE_TYPES }),
  rcs: OTT,
  whatsapp: OTT,
  viber_service: OTT,
  messenger: OTT,
});

/**
 * Progress order of states. A report never moves a message to a lower rank; `rejected` and
 * `undeliverable` share the top rank because either ends the message.
 */
export const STATE_RANK: Readonly<Record<MessageState, number>> = Object.freeze({
  accepted: 0,
  submitted: 1,
  delivered: 2,
  read: 3,
  rejected: 4,
  undeliverable: 4,
});

/** No further status can follow a terminal state. */
export function isTerminal(channel: Channel, state: MessageState): boolean {
  if (state === 'rejected' || state === 'undeliverable' || state === 'read') return true;
  return state === 'delivered' && !CHANNEL_TRAITS[channel].statuses.includes('read');
}

/** Settled = the message reached the recipient or failed; TTL no longer applies. */
export function isSettled(state: MessageState): boolean {
  return STATE_RANK[state] >= STATE_RANK.delivered;
}

/** The statuses that end a message without it reaching the recipient; they carry an error. */
export function isFailure(status: Status): boolean {
  return status === 'rejected' || status === 'undeliverable';
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

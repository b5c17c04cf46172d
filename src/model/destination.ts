/** Where a status change goes and in which format. */
import { createAddressPolicy, urlHostRefusal, type AddressPolicy } from './address.js';
import { xmlUnsafeCharacter } from './text.js';

/** The guard with no allowlist: what validators use when the caller passes no policy. */
export const STRICT_ADDRESS_POLICY: AddressPolicy = createAddressPolicy();

export const FORMATS = Object.freeze(['json', 'xml'] as const);
export type Format = (typeof FORMATS)[number];

/**
 * What an `interface` rule may name: the formats above, or `receipt`, the interface's own
 * standard receipt (the SMPP delivery receipt). Each interface declares which it takes
 * (model/interfaces.ts `receiptFormats`).
 */
export type InterfaceFormat = Format | 'receipt';

/**
 * Every rendering of a callback body: the rule formats above, plus the report formats an
 * interface declares for its receipts (model/interfaces.ts `receiptFormats`): a websms customer
 * whose rule says `json` gets the websms delivery report, not the Messages API webhook.
 */
export const BODY_FORMATS = Object.freeze([...FORMATS, 'websms_json', 'websms_xml', 'smpp_receipt', 'smpp_json'] as const);
export type BodyFormatName = (typeof BODY_FORMATS)[number];

export type Destination =
  | { type: 'url'; url: string }
  | { type: 'email'; address: string }
  | { type: 'sqs'; queue_url: string }
  | { type: 'smpp'; system_id: string; receipt?: SmppReceiptFacts };

/**
 * What the SMPP server records with the customer's session as the message's return address, so
 * its sender can write each receipt (model/smpp-receipt.ts) without reading the message back.
 */
export interface SmppReceiptFacts {
  /** The submit's registered_delivery (0 none, 1 final, 2 failure only; 0x10 intermediate). */
  registered_delivery: number;
  /** submit_sm parts the customer sent; each got its own message_id and gets its own receipt. */
  parts: number;
  /** The submit's source and destination (swapped in the receipt). */
  source: SmppAddress;
  destination: SmppAddress;
  /** The first 20 characters of the text (the receipt's `text:`). */
  text: string;
  /** When the submit was accepted (epoch ms; the receipt's `submit date:`). */
  submitted_at: number;
}

export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

export type DestinationType = Destination['type'];

/**
 * What a forwarding rule names for one interface: a destination the account chose, `interface`
 * (the destination the interface fixes; only the format is chosen) or `none`.
 */
export type RuleDestination =
  | { type: 'url'; url: string; format: Format }
  | { type: 'email'; address: string; format: Format }
  | { type: 'sqs'; queue_url: string; format: Format }
  | { type: 'interface'; format: InterfaceFormat }
  | { type: 'none' };

export type RuleType = RuleDestination['type'];

export interface Delivery {
  destination: Destination;
  format: BodyFormatName;
}

/**
 * Destinations that share a key share a concurrency limit and an order lane: one origin for
 * HTTP, one queue for SQS, one SMPP session. Every mail leaves through the one configured SMTP
 * relay, so all e-mail shares one key: a dead relay then holds one destination's slots, not one
 * set per recipient domain (which could starve HTTP and SQS of the global in-flight limit).
 */
export function destinationKey(destination: Destination): string {
  switch (destination.type) {
    case 'url':
      return `url:${new URL(destination.url).origin}`;
    case 'email':
      return 'email:relay';
    case 'sqs':
      return `sqs:${destination.queue_url}`;
    case 'smpp':
      return `smpp:${destination.system_id}`;
  }
}

/** What every key destinationKey() makes for a destination of this type starts with. */
export function destinationKeyPrefix(type: DestinationType): string {
  return `${type}:`;
}

/** Longest URL accepted anywhere a customer names one. */
export const MAX_URL_LENGTH = 2048;

/**
 * Why `value` is not an acceptable callback URL, or undefined when it is. With a policy (the
 * destination guard), a host that is a forbidden IP literal or `localhost` is refused too; pass
 * null for URLs statusrelay never fetches itself (e.g. image.url, fetched by the provider).
 */
export function httpUrlProblem(value: unknown, policy: AddressPolicy | null = STRICT_ADDRESS_POLICY): string | undefined {
  if (!(typeof value === 'string' && isHttpUrl(value) && value.length <= MAX_URL_LENGTH)) {
    return `must be an absolute http or https URL of at most ${MAX_URL_LENGTH} characters`;
  }
  const unsafe = xmlUnsafeCharacter(value);
  if (unsafe) return `must not contain control characters, U+FFFE, U+FFFF or unpaired surrogates (${unsafe})`;
  if (policy) {
    const url = new URL(value);
    if (url.username || url.password) return 'must not contain credentials (user:password@); they are never sent';
    const refusal = urlHostRefusal(value, policy);
    if (refusal) return `names a ${refusal} address; the destination guard does not allow it`;
  }
  return undefined;
}

function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    return new URL(s).hostname !== '';
  } catch {
    return false;
  }
}

/**
 * A plain address (no display name): a local part of printable characters and a domain of at
 * least two labels. CR and LF are impossible here, so the address is safe in a mail header.
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && EMAIL.test(value) && !value.startsWith('.') && !value.includes('..');
}

/**
 * An SQS queue URL: http(s)://host/<account id, 12 digits>/<queue name>. The name is 1 to 80
 * letters, digits, '-' or '_', with `.fifo` counted in for FIFO queues.
 */
export function parseQueueUrl(value: unknown): { accountId: string; name: string; fifo: boolean } | undefined {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const match = /^\/(\d{12})\/([A-Za-z0-9_-]+(?:\.fifo)?)$/.exec(url.pathname);
  if (!match || url.search || url.hash || match[2]!.length > 80) return undefined;
  return { accountId: match[1]!, name: match[2]!, fifo: match[2]!.endsWith('.fifo') };
}

/** Amazon SQS endpoints: `sqs.<region>.amazonaws.com`, `sqs-fips.<region>…`, legacy `<region>.queue.amazonaws.com`, China `.com.cn`. */
const AWS_SQS_HOST = /^(?:sqs(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?|[a-z0-9-]+\.queue\.amazonaws\.com(?:\.cn)?|queue\.amazonaws\.com)$/;

/**
 * Why a queue URL's host may not be used, or undefined: the SDK sends a request signed with
 * the service's own AWS identity to that host, so only Amazon SQS over https, or the host of
 * the configured SQS_ENDPOINT (e.g. a local emulator), is allowed.
 */
export function queueHostProblem(queueUrl: string, sqsEndpoint?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (sqsEndpoint) {
    // With a custom endpoint the SDK sends every request there, whatever host the queue URL
    // names; still only the endpoint's host is accepted, and for an emulator on this machine
    // its own name for itself (fauxqs answers sqs.<region>.localhost).
    try {
      const endpointHost = new URL(sqsEndpoint).hostname;
      if (url.hostname === endpointHost) return undefined;
      const endpointLocal = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(endpointHost);
      if (endpointLocal && /(^|\.)localhost$/.test(url.hostname)) return undefined;
    } catch {
      // An unparsable endpoint allows nothing extra.
    }
  }
  if (url.protocol === 'https:' && AWS_SQS_HOST.test(url.hostname) && url.port === '') return undefined;
  return sqsEndpoint
    ? `must be an https Amazon SQS queue URL (sqs.<region>.amazonaws.com) or on the configured SQS endpoint's host (${new URL(sqsEndpoint).hostname})`
    : 'must be an https Amazon SQS queue URL (sqs.<region>.amazonaws.com)';
}

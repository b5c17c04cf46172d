/** Where a status change goes and in which format. */
import { createAddressPolicy, urlHostRefusal, type AddressPolicy } from './address.js';
import { xmlUnsafeCharacter } from './text.js';
import { sameSecret } from './same-secret.js';

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
  | { type: 'url'; url: string; batch?: BatchSettings }
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
  | { type: 'url'; url: string; format: Format; batch?: BatchSettings }
  | { type: 'email'; address: string; format: Format }
  | { type: 'sqs'; queue_url: string; format: Format; credentials?: SqsCredentials }
  | { type: 'interface'; format: InterfaceFormat }
  | { type: 'none' };

export type RuleType = RuleDestination['type'];

export interface Delivery {
  destination: Destination;
  format: BodyFormatName;
}

/**
 * Batched delivery to a URL (README, "Batched delivery"): up to `max_items` callbacks of one
 * account, URL and format in one POST, sent when that many are there or `max_wait_ms` after the
 * first arrived (0: at the end of the current tick).
 */
export interface BatchSettings {
  max_items: number;
  max_wait_ms: number;
}

export const BATCH_LIMITS = Object.freeze({ maxItems: 1_000, maxWaitMs: 10_000 });

/**
 * Checks a `batch` object: the value to keep, or the problems by field (`batch.max_items`), in
 * the manner of checkSqsCredentials. Used by the forwarding rules and PATCH /v1/account.
 */
export function checkBatch(value: unknown): { value: BatchSettings } | { problems: Array<[field: string, reason: string]> } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [['batch', 'batch must be an object with max_items and max_wait_ms']] };
  }
  const given = value as Record<string, unknown>;
  const problems: Array<[string, string]> = [];
  for (const field of Object.keys(given)) if (field !== 'max_items' && field !== 'max_wait_ms') problems.push([`batch.${field}`, 'unknown field; batch takes max_items and max_wait_ms']);
  const inRange = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  if (!inRange(given.max_items, 1, BATCH_LIMITS.maxItems)) problems.push(['batch.max_items', `max_items must be an integer from 1 to ${BATCH_LIMITS.maxItems} (callbacks per POST)`]);
  if (!inRange(given.max_wait_ms, 0, BATCH_LIMITS.maxWaitMs)) problems.push(['batch.max_wait_ms', `max_wait_ms must be an integer from 0 to ${BATCH_LIMITS.maxWaitMs} (milliseconds)`]);
  return problems.length > 0 ? { problems } : { value: { max_items: given.max_items as number, max_wait_ms: given.max_wait_ms as number } };
}

/**
 * What marks a batched URL destination's key, with its max_items: `url:<origin>#batch=<n>` (no
 * origin contains `#`). The PostgreSQL claim reads the number with the same pattern.
 */
const BATCH_KEY_MARK = '#batch=';
export const BATCH_KEY_PATTERN = `${BATCH_KEY_MARK}([0-9]+)$`;
const BATCH_KEY = new RegExp(BATCH_KEY_PATTERN);

/**
 * Callbacks one attempt to the destination key carries: max_items for a batched key, else 1.
 * A key's concurrency counts attempts (POSTs), so it may hold this many times as many callbacks.
 */
export function itemsPerAttempt(key: string): number {
  const match = BATCH_KEY.exec(key);
  return match ? Number(match[1]) : 1;
}

/**
 * Destinations that share a key share a concurrency limit and an order lane: one origin for
 * HTTP, one queue for SQS, one SMPP session. Every mail leaves through the one configured SMTP
 * relay, so all e-mail shares one key: a dead relay then holds one destination's slots, not one
 * set per recipient domain (which could starve HTTP and SQS of the global in-flight limit).
 * A batched URL gets a key of its own, so its lanes and slots never mix with single callbacks
 * to the same origin.
 */
export function destinationKey(destination: Destination): string {
  switch (destination.type) {
    case 'url':
      return `url:${new URL(destination.url).origin}${destination.batch ? `${BATCH_KEY_MARK}${destination.batch.max_items}` : ''}`;
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
  // Parsed once here: the checks below read the same URL (each parse showed in the intake profile).
  const url = typeof value === 'string' && value.length <= MAX_URL_LENGTH ? httpUrl(value) : undefined;
  if (!url) return `must be an absolute http or https URL of at most ${MAX_URL_LENGTH} characters`;
  const unsafe = xmlUnsafeCharacter(value as string);
  if (unsafe) return `must not contain control characters, U+FFFE, U+FFFF or unpaired surrogates (${unsafe})`;
  if (policy) {
    if (url.username || url.password) return 'must not contain credentials (user:password@); they are never sent';
    const refusal = urlHostRefusal(url, policy);
    if (refusal) return `names a ${refusal} address; the destination guard does not allow it`;
  }
  return undefined;
}

/** The URL when `s` is an absolute http(s) URL with a host. */
function httpUrl(s: string): URL | undefined {
  if (!/^https?:\/\//i.test(s)) return undefined;
  try {
    const url = new URL(s);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
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

/**
 * What an SQS destination sends with: its own access keys, or a role statusrelay assumes with
 * the statusrelay account id as ExternalId. Without either, the service's own identity, which
 * only accounts in SQS_SHARED_IDENTITY_ACCOUNTS may use.
 */
export type SqsCredentials = SqsAccessKeys | { role_arn: string };
export interface SqsAccessKeys {
  access_key_id: string;
  secret_access_key: string;
}

/** What the forwarding document holds and shows in place of a stored secret access key. */
export const SECRET_SET = '(set)';

/** `*` in SQS_SHARED_IDENTITY_ACCOUNTS: every account may use the service's own identity. */
export const ALL_ACCOUNTS = '*';

export function mayUseSharedIdentity(allowedAccounts: readonly string[], accountId: string): boolean {
  return allowedAccounts.includes(ALL_ACCOUNTS) || allowedAccounts.includes(accountId);
}

/** Why the service's own identity may not send for this account: said at PUT and in the attempt log. */
export const SHARED_IDENTITY_REFUSED =
  "this account may not send with the service's own AWS identity (SQS_SHARED_IDENTITY_ACCOUNTS); give the destination credentials (access_key_id and secret_access_key, or role_arn)";

export const isAccessKeys = (credentials: SqsCredentials): credentials is SqsAccessKeys => 'access_key_id' in credentials;

/** An IAM role: arn:aws:iam::<12 digits>:role/<path and name> (also in the China and GovCloud partitions). */
const ROLE_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** AWS access key ids are 16 to 128 word characters (AKIA…, ASIA…). */
const ACCESS_KEY_ID = /^\w{16,128}$/;

/**
 * Checks `credentials` of an sqs destination: the value to keep, or the problems by field
 * (`credentials.access_key_id`, ...). A secret of `(set)` keeps the one stored for the queue.
 */
export function checkSqsCredentials(value: unknown): { value: SqsCredentials } | { problems: Array<[field: string, reason: string]> } {
  const problems: Array<[string, string]> = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [['credentials', 'credentials must be an object with access_key_id and secret_access_key, or with role_arn']] };
  }
  const given = value as Record<string, unknown>;
  const keys = 'access_key_id' in given || 'secret_access_key' in given;
  if (keys && 'role_arn' in given) return { problems: [['credentials', 'credentials take access keys or role_arn, not both']] };
  const allowed = keys ? ['access_key_id', 'secret_access_key'] : ['role_arn'];
  for (const field of Object.keys(given)) if (!allowed.includes(field)) problems.push([`credentials.${field}`, 'unknown field; credentials take access_key_id and secret_access_key, or role_arn']);
  if (keys) {
    const { access_key_id: id, secret_access_key: secret } = given;
    if (typeof id !== 'string' || !ACCESS_KEY_ID.test(id)) problems.push(['credentials.access_key_id', 'access_key_id must be an AWS access key id (16 to 128 letters and digits, e.g. AKIA...)']);
    if (secret !== SECRET_SET && (typeof secret !== 'string' || !/^[\x21-\x7e]{16,128}$/.test(secret))) {
      problems.push(['credentials.secret_access_key', `secret_access_key must be 16 to 128 printable characters without spaces, or ${SECRET_SET} to keep the stored one`]);
    }
    return problems.length > 0 ? { problems } : { value: { access_key_id: id as string, secret_access_key: secret as string } };
  }
  if (typeof given.role_arn !== 'string' || !ROLE_ARN.test(given.role_arn)) {
    problems.push(['credentials.role_arn', 'role_arn must be an IAM role ARN like arn:aws:iam::123456789012:role/statusrelay']);
  }
  return problems.length > 0 ? { problems } : { value: { role_arn: given.role_arn as string } };
}

/** Whether two destinations' credentials are the same (one queue has one set per account). */
export function sameSqsCredentials(a: SqsCredentials | undefined, b: SqsCredentials | undefined): boolean {
  if (!a || !b) return a === b;
  if (isAccessKeys(a)) return isAccessKeys(b) && a.access_key_id === b.access_key_id && sameSecret(a.secret_access_key, b.secret_access_key);
  return !isAccessKeys(b) && a.role_arn === b.role_arn;
}

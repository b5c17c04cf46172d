/**
 * Validation of `POST /v1/messages` bodies (public Messages API style).
 *
 * Pure code: it returns every problem found at once, named by path (`failover[1].to`,
 * `image.url`), so a customer can fix a request in one round trip. The route turns
 * `{ ok: false }` into a 422 invalid-parameters problem.
 */
import { CHANNELS, CHANNEL_TRAITS, MESSAGE_TYPES, isChannel } from '../../model/vocabulary.js';
import type { Channel, MessageType } from '../../model/vocabulary.js';
import type { MessageContent } from '../../model/types.js';
import type { InvalidParameter } from '../../http/problems.js';
import { MAX_URL_LENGTH, STRICT_ADDRESS_POLICY, httpUrlProblem } from '../../model/destination.js';
import type { AddressPolicy } from '../../model/address.js';
import { xmlUnsafeProblem } from '../../model/text.js';

export type MessageRequestResult =
  | { ok: true; value: { first: MessageContent; failover: MessageContent[] } }
  | { ok: false; invalid: InvalidParameter[] };

export const LIMITS = Object.freeze({
  smsText: 1000,
  text: 4096,
  caption: 3000,
  clientRef: 100,
  url: MAX_URL_LENGTH,
  ottFrom: 50,
  ttlMin: 60,
  ttlMax: 604_800,
  failoverMax: 4,
});

/** `webhook_version` is accepted for compatibility with the public API and ignored. */
const ITEM_FIELDS = new Set(['channel', 'message_type', 'to', 'from', 'text', 'image', 'client_ref', 'webhook_url', 'ttl', 'webhook_version']);
const IMAGE_FIELDS = new Set(['url', 'caption']);
const PHONE = /^\d{7,15}$/;
/** Alphanumeric sender id: 1-11 letters, digits or spaces, not starting with a space. */
const SENDER_ID = /^[A-Za-z0-9][A-Za-z0-9 ]{0,10}$/;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Characters as a person counts them (code points), not UTF-16 units. */
function length(s: string): number {
  return [...s].length;
}

/** Collects problems under a path prefix ('' for the top level, 'failover[0]' for an item). */
class Issues {
  constructor(
    private readonly list: InvalidParameter[],
    private readonly prefix: string,
  ) {}

  name(field: string): string {
    return this.prefix === '' ? field : `${this.prefix}.${field}`;
  }

  add(field: string, reason: string): void {
    this.list.push({ name: this.name(field), reason });
  }

  count(): number {
    return this.list.length;
  }

  has(field: string): boolean {
    const name = this.name(field);
    return this.list.some((issue) => issue.name === name);
  }
}

/** A leading '+' is the most common mistake, so it gets a reason of its own. */
function noPlus(field: 'to' | 'from'): string {
  return `${field} must be in E.164 format without a leading '+', e.g. 447700900000`;
}

function checkFrom(from: unknown, channel: Channel | undefined, issues: Issues): string | undefined {
  if (from === undefined) return void issues.add('from', 'from is required');
  if (typeof from !== 'string') return void issues.add('from', 'from must be a string');
  if (channel === 'sms' || channel === 'mms') {
    if (from.startsWith('+')) return void issues.add('from', noPlus('from'));
    if (PHONE.test(from) || SENDER_ID.test(from)) return from;
    return void issues.add('from', 'from must be 7 to 15 digits or an alphanumeric sender id of 1 to 11 letters, digits or spaces');
  }
  if (from.length === 0 || length(from) > LIMITS.ottFrom) {
    return void issues.add('from', `from must be 1 to ${LIMITS.ottFrom} characters`);
  }
  return from;
}

function checkImage(image: unknown, issues: Issues): { url: string; caption?: string } | undefined {
  if (image === undefined) return void issues.add('image', 'image is required for message_type image');
  if (!isObject(image)) return void issues.add('image', 'image must be an object with url and optional caption');
  const before = issues.count();
  const { url, caption } = image;
  if (url === undefined) issues.add('image.url', 'image.url is required');
  else if (httpUrlProblem(url, null)) issues.add('image.url', `image.url ${httpUrlProblem(url, null)}`);
  if (caption !== undefined && (typeof caption !== 'string' || caption === '' || length(caption) > LIMITS.caption)) {
    issues.add('image.caption', `image.caption must be a string of 1 to ${LIMITS.caption} characters`);
  }
  for (const key of Object.keys(image)) if (!IMAGE_FIELDS.has(key)) issues.add(`image.${key}`, 'unknown field');
  if (issues.count() > before) return undefined;
  return { url: url as string, ...(caption !== undefined ? { caption: caption as string } : {}) };
}

/** Validates one message (the request itself or a failover item); undefined when it has problems. */
function checkContent(body: Obj, issues: Issues, isItem: boolean, policy: AddressPolicy): MessageContent | undefined {
  const before = issues.count();

  const { channel, message_type: type } = body;
  if (channel === undefined) issues.add('channel', 'channel is required');
  else if (!isChannel(channel)) issues.add('channel', `channel must be one of ${CHANNELS.join(', ')}`);
  const ch = isChannel(channel) ? channel : undefined;

  if (type === undefined) issues.add('message_type', 'message_type is required');
  else if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    issues.add('message_type', `message_type must be one of ${MESSAGE_TYPES.join(', ')}`);
  } else if (ch && !CHANNEL_TRAITS[ch].messageTypes.includes(type as MessageType)) {
    issues.add('message_type', `message_type ${type} is not supported on channel ${ch}`);
  }

  const { to } = body;
  if (to === undefined) issues.add('to', 'to is required');
  else if (typeof to !== 'string') issues.add('to', 'to must be a string of digits');
  else if (to.startsWith('+')) issues.add('to', noPlus('to'));
  else if (!PHONE.test(to)) issues.add('to', "to must be 7 to 15 digits (E.164 without '+')");

  const from = checkFrom(body.from, ch, issues);

  // Text and image are mutually exclusive so a misplaced caption does not pass silently.
  const { text } = body;
  let image: { url: string; caption?: string } | undefined;
  if (type === 'text') {
    const max = ch === 'sms' ? LIMITS.smsText : LIMITS.text;
    if (text === undefined) issues.add('text', 'text is required for message_type text');
    else if (typeof text !== 'string' || text === '' || length(text) > max) {
      issues.add('text', `text must be a string of 1 to ${max} characters${ch ? ` on channel ${ch}` : ''}`);
    }
    if (body.image !== undefined) issues.add('image', 'image is not allowed with message_type text');
  } else if (type === 'image') {
    if (text !== undefined) issues.add('text', 'text is not allowed with message_type image; use image.caption');
    image = checkImage(body.image, issues);
  }

  const { client_ref: clientRef, webhook_url: webhookUrl, ttl } = body;
  if (clientRef !== undefined && (typeof clientRef !== 'string' || length(clientRef) > LIMITS.clientRef)) {
    issues.add('client_ref', `client_ref must be a string of at most ${LIMITS.clientRef} characters`);
  }
  const webhookProblem = webhookUrl === undefined ? undefined : httpUrlProblem(webhookUrl, policy);
  if (webhookProblem) {
    issues.add('webhook_url', `webhook_url ${webhookProblem}`);
  }
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < LIMITS.ttlMin || (ttl as number) > LIMITS.ttlMax)) {
    issues.add('ttl', `ttl must be an integer number of seconds from ${LIMITS.ttlMin} to ${LIMITS.ttlMax}`);
  }

  // Everything that ends up in an XML callback, an e-mail or an SMPP PDU must be representable there.
  const imageBody = isObject(body.image) ? body.image : {};
  const texts: Array<[string, unknown]> = [['from', body.from], ['text', body.text], ['client_ref', clientRef], ['image.caption', imageBody.caption]];
  for (const [field, value] of texts) {
    const problem = xmlUnsafeProblem(field, value);
    if (problem && !issues.has(field)) issues.add(field, problem);
  }

  for (const key of Object.keys(body)) {
    if (ITEM_FIELDS.has(key) || (key === 'failover' && !isItem)) continue;
    issues.add(key, key === 'failover' ? 'a failover item cannot have its own failover' : 'unknown field');
  }

  if (issues.count() > before) return undefined;
  const content: MessageContent = { channel: ch!, message_type: type as MessageType, to: to as string, from: from! };
  if (type === 'text') content.text = text as string;
  if (image) {
    content.image_url = image.url;
    if (image.caption !== undefined) content.text = image.caption;
  }
  if (clientRef !== undefined) content.client_ref = clientRef as string;
  if (webhookUrl !== undefined) content.webhook_url = webhookUrl as string;
  if (ttl !== undefined) content.ttl = ttl as number;
  return content;
}

export function validateMessageRequest(body: unknown, policy: AddressPolicy = STRICT_ADDRESS_POLICY): MessageRequestResult {
  if (!isObject(body)) return { ok: false, invalid: [{ name: '', reason: 'body must be a JSON object' }] };

  const invalid: InvalidParameter[] = [];
  const first = checkContent(body, new Issues(invalid, ''), false, policy);

  const failover: MessageContent[] = [];
  const items = body.failover;
  if (items !== undefined) {
    if (!Array.isArray(items) || items.length === 0 || items.length > LIMITS.failoverMax) {
      invalid.push({ name: 'failover', reason: `failover must be an array of 1 to ${LIMITS.failoverMax} messages` });
    } else {
      items.forEach((item: unknown, i) => {
        const path = `failover[${i}]`;
        if (!isObject(item)) return void invalid.push({ name: path, reason: 'failover item must be a JSON object' });
        const content = checkContent(item, new Issues(invalid, path), true, policy);
        if (content) failover.push(content);
      });
    }
  }

  if (invalid.length > 0 || !first) return { ok: false, invalid };
  return { ok: true, value: { first, failover } };
}

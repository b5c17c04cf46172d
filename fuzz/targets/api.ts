/**
 * The REST API through Fastify's inject: POST /v1/messages (with Idempotency-Key),
 * PUT /v1/forwarding, PATCH /v1/account and GET /v1/messages/:uuid with odd ids. A refusal is a
 * 4xx problem+json that leaves the store as it was.
 */
import fc from 'fast-check';
import type { FuzzTarget } from '../harness.js';
import { bodyText, contentType, digits, headerValue, mostly, nearValid, oddText } from '../arbitraries.js';
import { KNOWN_MESSAGE_UUID, checkRequest, isClientError, problemJsonAnswer, startFuzzRelay, type FuzzRelay } from '../relay.js';

interface HttpCase {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  headers: Record<string, string | string[]>;
}

/** Sends a case as the account (or, at times, with broken credentials). */
function send(fuzz: FuzzRelay, input: HttpCase & { auth: 'good' | 'none' | string }) {
  const headers: Record<string, string | string[]> = { ...input.headers };
  if (input.auth === 'good') headers.authorization = fuzz.auth;
  else if (input.auth !== 'none') headers.authorization = input.auth;
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  return () =>
    fuzz.relay.api.inject({ method: input.method as 'GET', url: input.url, headers, ...(input.body !== undefined ? { payload: input.body } : {}) }).then((answer) => ({
      statusCode: answer.statusCode,
      headers: answer.headers,
      body: answer.body,
    }));
}

const auth: fc.Arbitrary<string> = fc.oneof(
  { weight: 24, arbitrary: fc.constant('good') },
  { weight: 1, arbitrary: fc.constantFrom('none', 'Basic', 'Basic ', 'Basic Og==', 'Basic %%%', 'Bearer x', 'basic YTpi') },
  { weight: 1, arbitrary: headerValue },
);

function apiTarget(name: string, request: fc.Arbitrary<HttpCase>): FuzzTarget<HttpCase & { auth: string }> {
  return {
    name,
    async start() {
      const fuzz = await startFuzzRelay();
      return {
        arbitrary: fc.tuple(request, auth).map(([input, credentials]) => ({ ...input, auth: credentials })),
        check: (input) => checkRequest(fuzz, send(fuzz, input), isClientError, problemJsonAnswer),
        close: () => fuzz.close(),
      };
    },
  };
}

const CHANNEL_TYPES: Array<[string, string]> = [
  ['sms', 'text'], ['mms', 'image'], ['mms', 'text'], ['rcs', 'text'], ['rcs', 'image'], ['whatsapp', 'text'], ['whatsapp', 'image'],
  ['viber_service', 'text'], ['messenger', 'text'],
];

const messageItem = fc
  .record({
    kind: fc.constantFrom(...CHANNEL_TYPES),
    to: digits(7, 15),
    from: fc.oneof(digits(7, 15), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ]{0,10}$/)),
    text: fc.string({ minLength: 1, maxLength: 60 }),
    caption: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    client_ref: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
    webhook_url: fc.option(mostly(fc.constantFrom('https://example.com/status', 'http://example.org:8080/cb?x=1'), fc.constantFrom('http://127.0.0.1:9/cb', 'http://10.0.0.1/', 'http://0x7f.1/')), { nil: undefined }),
    ttl: fc.option(fc.integer({ min: 60, max: 604_800 }), { nil: undefined }),
  })
  .map(({ kind: [channel, type], text, caption, ...rest }) => {
    const item: Record<string, unknown> = { channel, message_type: type, ...rest };
    if (type === 'text') item.text = text;
    else item.image = { url: 'https://example.com/a.png', ...(caption !== undefined ? { caption } : {}) };
    for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
    return item;
  });

export const validMessage = fc
  .tuple(messageItem, fc.option(fc.array(messageItem, { minLength: 1, maxLength: 4 }), { nil: undefined }))
  .map(([first, failover]) => (failover ? { ...first, failover } : first));

/** Keys from a small pool, so retries with the same key (and another body) happen. */
const idempotencyKey = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('k1', 'k2', 'k3', 'order-42') }, { weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerValue });

export const apiMessagesTarget = apiTarget(
  'api: POST /v1/messages',
  fc.record({
    body: bodyText(nearValid(validMessage)),
    contentType,
    key: fc.option(mostly(idempotencyKey, fc.array(idempotencyKey, { minLength: 2, maxLength: 2 })), { nil: undefined, freq: 2 }),
    extra: fc.option(fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,15}$/), headerValue, { maxKeys: 2 }), { nil: undefined }),
  }).map(({ body, contentType, key, extra }) => ({
    method: 'POST',
    url: '/v1/messages',
    body,
    ...(contentType !== undefined ? { contentType } : {}),
    headers: { ...extra, ...(key !== undefined ? { 'idempotency-key': key } : {}) },
  })),
);

const ruleDestination = fc.oneof(
  fc.record({ type: fc.constant('url'), url: mostly(fc.constantFrom('https://example.com/status', 'https://example.com:8443/a?b=c'), fc.constantFrom('http://127.0.0.1/x', 'http://[fd00::1]/')), format: fc.constantFrom('json', 'xml') }),
  fc.record({ type: fc.constant('email'), address: fc.constantFrom('ops@example.com', 'a.b@sub.example.org'), format: fc.constantFrom('json', 'xml', 'text') }),
  fc.record({ type: fc.constant('sqs'), queue_url: fc.constantFrom('https://sqs.eu-central-1.amazonaws.com/123456789012/q', 'https://sqs.us-east-1.amazonaws.com/000000000000/x.fifo'), format: fc.constantFrom('json', 'xml') }),
  fc.record({ type: fc.constant('interface'), format: fc.constantFrom('json', 'xml', 'receipt', 'email') }),
  fc.constant({ type: 'none' }),
);

const INTERFACES = ['suite', 'api', 'email', 'smpp', 'outlook', 'legacy_xml', 'websms'];

export const validForwarding = fc.record(
  {
    enabled: fc.boolean(),
    sms: fc.dictionary(fc.constantFrom(...INTERFACES), ruleDestination, { maxKeys: 3 }),
    ott: fc
      .tuple(fc.dictionary(fc.constantFrom(...INTERFACES), ruleDestination, { maxKeys: 3 }), fc.option(fc.subarray(['submitted', 'delivered', 'read', 'rejected', 'undeliverable']), { nil: undefined }))
      .map(([rules, statuses]) => (statuses ? { ...rules, statuses } : rules)),
  },
  { requiredKeys: [] },
);

/** Near-valid JSON documents sent with `method` to `url`. */
function documents(method: string, url: string, valid: fc.Arbitrary<unknown>): fc.Arbitrary<HttpCase> {
  return fc.record({ body: bodyText(nearValid(valid)), contentType }).map(({ body, contentType }) => ({
    method,
    url,
    body,
    ...(contentType !== undefined ? { contentType } : {}),
    headers: {},
  }));
}

export const apiForwardingTarget = apiTarget('api: PUT /v1/forwarding', documents('PUT', '/v1/forwarding', validForwarding));

const validAccountPatch = fc.record(
  {
    status_url: fc.oneof(fc.constant(null), mostly(fc.constant('https://example.com/status'), fc.constantFrom('http://[::1]/', 'https://example.com/\u000b'))),
    email_senders: fc.array(fc.constantFrom('ops@example.com', '*@example.com', 'x@y', 'OPS@Example.COM'), { maxLength: 3 }),
    email_text_limit: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5000 })),
  },
  { requiredKeys: [] },
);

export const apiAccountTarget = apiTarget('api: PATCH /v1/account', documents('PATCH', '/v1/account', validAccountPatch));

/** Percent-encoded UTF-8 (a lone surrogate becomes U+FFFD, as a client's encoder would write it). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');
}

/** A path segment as a client might write it: raw, percent-encoded, or broken encoding. */
const oddId = fc.oneof(
  fc.constantFrom(KNOWN_MESSAGE_UUID, KNOWN_MESSAGE_UUID.replace(/-/g, ''), KNOWN_MESSAGE_UUID.toUpperCase(), `${KNOWN_MESSAGE_UUID}%00`, `${KNOWN_MESSAGE_UUID} `),
  fc.uuid(),
  fc.uuid().map((uuid) => uuid.replace(/-/g, '')),
  fc.uuid().map((uuid) => uuid.toUpperCase()),
  oddText.map(percentEncoded),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')),
  fc.stringMatching(/^[\x21-\x7e]{0,80}$/),
  fc.constantFrom('%', '%zz', '%C0%AF', '%ED%A0%80', '..', '.', '%2e%2e', 'a%00b', 'x'.repeat(3000), '', '?', '#', '//x', ';x'),
);

export const apiMessageIdsTarget = apiTarget(
  'api: GET /v1/messages/:uuid',
  fc.record({ id: oddId, callbacks: fc.boolean(), query: fc.option(fc.stringMatching(/^[\x21-\x7e]{0,30}$/), { nil: undefined }) }).map(({ id, callbacks, query }) => ({
    method: 'GET',
    url: `/v1/messages/${id}${callbacks ? '/callbacks' : ''}${query !== undefined ? `?${query}` : ''}`,
    headers: {},
  })),
);

/**
 * The websms REST send API (JSON, and the simple endpoint as GET query or form POST) and the
 * legacy XML interface, through Fastify's inject. Their refusals are HTTP 200 (401 for
 * credentials) with a websms statusCode other than 2000; a refused send stores nothing.
 */
import fc from 'fast-check';
import type { FuzzTarget } from '../harness.js';
import { bodyText, contentType, digits, headerValue, mostly, nearValid, oddText } from '../arbitraries.js';
import { checkRequest, startFuzzRelay, type Answer, type FuzzRelay } from '../relay.js';
import { WEBSMS_CODES } from '../../src/intake/websms/codes.js';
import { validateWebsmsSend } from '../../src/intake/websms/request.js';
import { simpleRequest } from '../../src/intake/websms/routes.js';
import { parseLegacyRequest } from '../../src/intake/legacy-xml/parse.js';
import { validateMessageRequest } from '../../src/intake/api/message-request.js';
import { createAddressPolicy } from '../../src/model/address.js';

const validSend = fc.record(
  {
    recipientAddressList: fc.oneof(fc.array(digits(7, 15), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: 1_000_000, max: 999_999_999_999 }), { minLength: 1, maxLength: 2 })),
    messageContent: fc.string({ minLength: 1, maxLength: 200 }),
    senderAddress: fc.oneof(digits(7, 8), fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,10}$/)),
    senderAddressType: mostly(fc.constant(undefined), fc.constantFrom('national', 'international', 'alphanumeric', 'shortcode')),
    messageType: fc.constant('default'),
    notificationCallbackUrl: mostly(fc.constant('https://example.com/reports'), fc.constantFrom('http://127.0.0.1/x', 'https://example.com/\u0000')),
    clientMessageId: fc.string({ minLength: 1, maxLength: 100 }),
    priority: mostly(fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 10)),
    validityPeriode: mostly(fc.integer({ min: 60, max: 259_200 }), fc.constantFrom(59, 259_201)),
    contentCategory: fc.constantFrom('informational', 'advertisement'),
    test: fc.boolean(),
    sendAsFlashSms: fc.boolean(),
    maxSmsPerMessage: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ['recipientAddressList', 'messageContent', 'senderAddress'] },
).map((doc) => JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);

type WebsmsCase = { method: 'GET' | 'POST'; url: string; body?: string; contentType?: string; auth: string };

const REFUSED_OK = new Set<number>([WEBSMS_CODES.OK]);

/** The websms answer's statusCode from JSON or from the legacy XML answer. */
function websmsCode(answer: Answer): number | undefined {
  const xml = /<statusCode>(\d+)<\/statusCode>/.exec(answer.body)?.[1];
  if (xml) return Number(xml);
  try {
    return (JSON.parse(answer.body) as { statusCode?: number }).statusCode;
  } catch {
    return undefined;
  }
}

/** A refusal is any answer that is not "OK"; an internal error (5000) counts as a 5xx too. */
const refused = (answer: Answer) => !REFUSED_OK.has(websmsCode(answer) ?? -1);

const policy = createAddressPolicy([]);

/** What a websms send accepts, the REST API would accept as messages too (the same fields end up in the same callbacks). */
function sameAsRestApi(request: unknown): string | undefined {
  const result = validateWebsmsSend(request, policy);
  if (!result.ok) return undefined;
  for (const content of result.value.messages) {
    const asApi = { ...content, ...(result.value.notificationCallbackUrl ? { webhook_url: result.value.notificationCallbackUrl } : {}) };
    const checked = validateMessageRequest(asApi, policy);
    if (!checked.ok) return `the REST API would refuse what the websms interface accepted: ${JSON.stringify(checked.invalid)}`;
  }
  return undefined;
}

/** The request the route hands the validator, when the case's body can be read as one. */
function requestOf(input: WebsmsCase): unknown {
  try {
    if (input.url === '/legacy/xml') {
      const parsed = parseLegacyRequest(input.body ?? '');
      return parsed.ok ? parsed.request : undefined;
    }
    if (input.url.includes('/simple')) return simpleRequest(Object.fromEntries(new URLSearchParams(input.method === 'GET' ? input.url.split('?')[1] : input.body)));
    return JSON.parse(input.body ?? '');
  } catch {
    return undefined;
  }
}

async function checkWebsms(fuzz: FuzzRelay, request: WebsmsCase) {
  const mismatch = sameAsRestApi(requestOf(request));
  if (mismatch) return { crash: mismatch };
  const outcome = await checkRequest(
    fuzz,
    async () => {
      const headers: Record<string, string> = {};
      if (request.auth === 'good') headers.authorization = fuzz.auth;
      else if (request.auth !== 'none') headers.authorization = request.auth;
      if (request.contentType !== undefined) headers['content-type'] = request.contentType;
      const answer = await fuzz.relay.api.inject({ method: request.method, url: request.url, headers, ...(request.body !== undefined ? { payload: request.body } : {}) });
      return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body };
    },
    refused,
    (answer) => (websmsCode(answer) === undefined && answer.statusCode !== 404 ? `answer without a websms statusCode: ${answer.statusCode} ${answer.body.slice(0, 100)}` : undefined),
  );
  return outcome;
}

const auth = fc.oneof({ weight: 24, arbitrary: fc.constant('good') }, { weight: 1, arbitrary: fc.constantFrom('none', 'Bearer wst_x', 'Bearer', 'Basic Og==') }, { weight: 1, arbitrary: headerValue });

/** Query or form parameters: the JSON request's fields as text, lists as repeated or comma-separated values. */
function asParameters(doc: unknown): string {
  const params = new URLSearchParams();
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    for (const [key, value] of Object.entries(doc)) {
      if (Array.isArray(value)) for (const item of value) params.append(key, typeof item === 'string' ? item : JSON.stringify(item) ?? '');
      else params.append(key, typeof value === 'string' ? value : JSON.stringify(value) ?? '');
    }
  }
  return params.toString();
}


export const websmsApiTarget: FuzzTarget<WebsmsCase> = {
  name: 'websms REST API',
  async start() {
    const fuzz = await startFuzzRelay();
    const text = fc
      .record({ path: fc.constantFrom('/rest/smsmessaging/text', '/json/smsmessaging/text'), body: bodyText(nearValid(validSend)), contentType, auth })
      .map(({ path, body, contentType, auth }): WebsmsCase => ({ method: 'POST', url: path, body, ...(contentType !== undefined ? { contentType } : {}), auth }));
    const simple = fc
      .record({ path: fc.constantFrom('/rest/smsmessaging/simple', '/json/smsmessaging/simple'), params: fc.oneof(nearValid(validSend).map(asParameters), oddText), get: fc.boolean(), auth })
      .map(({ path, params, get, auth }): WebsmsCase =>
        get ? { method: 'GET', url: `${path}?${params}`, auth } : { method: 'POST', url: path, body: params, contentType: 'application/x-www-form-urlencoded', auth },
      );
    return {
      arbitrary: fc.oneof({ weight: 2, arbitrary: text }, { weight: 1, arbitrary: simple }),
      check: (input) => checkWebsms(fuzz, input),
      close: () => fuzz.close(),
    };
  },
};

/** A send request as the legacy XML document (docs/websms-legacy.xsd). */
function asXml(doc: unknown, escape: boolean): string {
  const esc = (value: unknown) => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    return escape ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
  };
  const element = (name: string, value: unknown): string => {
    if (name === 'recipientAddressList' && Array.isArray(value)) return `<recipientAddressList>${value.map((item) => `<recipientAddress>${esc(item)}</recipientAddress>`).join('')}</recipientAddressList>`;
    if (value !== null && typeof value === 'object') return `<${name}>${Object.entries(value).map(([key, inner]) => element(key, inner)).join('')}</${name}>`;
    return `<${name}>${esc(value)}</${name}>`;
  };
  const fields = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? Object.entries(doc) : [];
  return `<?xml version="1.0" encoding="UTF-8"?><smsSendRequest>${fields.map(([name, value]) => element(name, value)).join('')}</smsSendRequest>`;
}

const XML_SNIPPETS = ['<!DOCTYPE x [<!ENTITY a "b">]>', '&a;', '&#0;', '&#x10FFFF;', '&#xD800;', '<![CDATA[x]]>', '<?pi x?>', '<!-- c -->', '<a><a><a><a><a><a><a><a><a>', '</smsSendRequest>', '<smsSendRequest>', '<x y="1" y="2"/>', '\u0000', '\ufeff'];

export const legacyXmlTarget: FuzzTarget<WebsmsCase> = {
  name: 'legacy XML interface',
  async start() {
    const fuzz = await startFuzzRelay();
    const document = fc
      .tuple(nearValid(validSend), fc.boolean(), mostly(fc.constant([]), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...XML_SNIPPETS), oddText)), { minLength: 1, maxLength: 2 })))
      .map(([doc, escape, inserts]) => inserts.reduce((xml, [at, insert]) => xml.slice(0, at % (xml.length + 1)) + insert + xml.slice(at % (xml.length + 1)), asXml(doc, escape)));
    return {
      arbitrary: fc
        .record({ body: fc.oneof({ weight: 6, arbitrary: document }, { weight: 1, arbitrary: oddText }), contentType: fc.constantFrom(undefined, 'application/xml', 'text/xml', 'application/json', 'text/plain'), auth })
        .map(({ body, contentType, auth }): WebsmsCase => ({ method: 'POST', url: '/legacy/xml', body, ...(contentType !== undefined ? { contentType } : {}), auth })),
      check: (input) => checkWebsms(fuzz, input),
      close: () => fuzz.close(),
    };
  },
};

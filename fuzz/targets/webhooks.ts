/**
 * The provider webhooks (WhatsApp, upstream Messages API, websms) through Fastify's inject, each
 * on a relay with its provider configured, signed correctly most of the time so that the body
 * reaches the parser. A refusal (4xx) must leave the store as it was; statuses for a message the
 * relay knows are recorded, unknown ones parked. The normalizers also run on every body
 * directly: there a throw is a crash, where the webhook would only park the status as unreadable.
 */
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { FuzzTarget } from '../harness.js';
import { bodyText, contentType, digits, headerValue, mostly, nearValid, oddText } from '../arbitraries.js';
import { checkRequest, isClientError, startFuzzRelay, type Answer, type FuzzRelay } from '../relay.js';
import type { Message } from '../../src/model/types.js';
import { normalizeStatus, statusObjects } from '../../src/carriage/whatsapp/statuses.js';
import { normalizeCallback, normalizeWorkflow } from '../../src/carriage/upstream/callbacks.js';
import { normalizeReport, reportProblem } from '../../src/carriage/websms/reports.js';
import { REPORT_STATUSES } from '../../src/carriage/websms/codes.js';
import { makeError as errorObjectOf } from '../../src/model/errors.js';

/** The provider id of a message every relay knows, so that some statuses are recorded. */
const KNOWN_REF = 'known-ref-1';
const UNREACHABLE = 'http://127.0.0.1:9';

const relayKnowing = (env: Record<string, string>, channel: Message['channel']) => startFuzzRelay(env, { channel, providerRef: KNOWN_REF });

const ref = fc.oneof({ weight: 3, arbitrary: fc.constant(KNOWN_REF) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: oddText });
const timestamp = mostly(fc.integer({ min: 0, max: 2_000_000_000 }).map(String), fc.oneof(fc.constantFrom('2026-02-30T00:00:00Z', '2026-01-01T00:00:00Z', '-1', '1e300'), oddText));
const makeError = (code: number) => errorObjectOf(code, 'https://example.com/errors#', 'fuzz');

interface WebhookCase {
  method: 'POST' | 'GET';
  url: string;
  body: string;
  contentType?: string;
  /** How the request is signed: correctly, not at all, wrongly, or an odd header. */
  signing: string;
}

async function inject(fuzz: FuzzRelay, input: WebhookCase, headers: Record<string, string>): Promise<Answer> {
  const answer = await fuzz.relay.api.inject({
    method: input.method,
    url: input.url,
    headers: { ...(input.contentType !== undefined ? { 'content-type': input.contentType } : {}), ...headers },
    ...(input.method === 'POST' ? { payload: input.body } : {}),
  });
  return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body };
}

const signing = fc.oneof({ weight: 16, arbitrary: fc.constant('good') }, { weight: 1, arbitrary: fc.constantFrom('none', 'wrong') }, { weight: 1, arbitrary: headerValue });

// ---- WhatsApp ----

const WHATSAPP_SECRET = 'fuzz-app-secret';
const WHATSAPP_VERIFY = 'fuzz-verify-token';

const whatsappStatus = fc.record(
  {
    id: ref,
    status: mostly(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted'), oddText),
    timestamp,
    recipient_id: digits(7, 15),
    errors: fc.array(fc.record({ code: fc.oneof(fc.constantFrom(131026, 131047, 470, 1), fc.integer()), title: oddText }), { maxLength: 2 }),
    pricing: fc.record({ billable: fc.boolean(), category: oddText }),
    conversation: fc.record({ id: oddText }),
  },
  { requiredKeys: ['id', 'status'] },
);

const whatsappBatch = fc
  .array(whatsappStatus, { minLength: 1, maxLength: 3 })
  .map((statuses) => ({ object: 'whatsapp_business_account', entry: [{ id: 'WABA-1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', statuses } }] }] }));

export const whatsappWebhookTarget: FuzzTarget<WebhookCase> = {
  name: 'webhook: WhatsApp',
  async start() {
    const fuzz = await relayKnowing(
      { WHATSAPP_BASE_URL: UNREACHABLE, WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: WHATSAPP_SECRET, WHATSAPP_VERIFY_TOKEN: WHATSAPP_VERIFY },
      'whatsapp',
    );
    const handshake = fc
      .record({ mode: fc.constantFrom('subscribe', 'unsubscribe', '%', ''), token: fc.oneof(fc.constant(WHATSAPP_VERIFY), oddText), challenge: oddText, twice: fc.boolean() })
      .map(({ mode, token, challenge, twice }): WebhookCase => {
        const query = new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge });
        if (twice) query.append('hub.verify_token', token);
        return { method: 'GET', url: `/v1/providers/whatsapp?${query}`, body: '', signing: 'none' };
      });
    const post = fc
      .record({ body: bodyText(nearValid(whatsappBatch)), contentType, signing })
      .map(({ body, contentType, signing }): WebhookCase => ({ method: 'POST', url: '/v1/providers/whatsapp', body, ...(contentType !== undefined ? { contentType } : {}), signing }));
    return {
      arbitrary: fc.oneof({ weight: 9, arbitrary: post }, { weight: 1, arbitrary: handshake }),
      async check(input) {
        const direct = parsedOrUndefined(input.body);
        for (const status of statusObjects(direct)) normalizeStatus(status, Date.now(), makeError);
        const signature =
          input.signing === 'good' ? `sha256=${createHmac('sha256', WHATSAPP_SECRET).update(input.body).digest('hex')}`
          : input.signing === 'wrong' ? `sha256=${createHmac('sha256', 'other').update(input.body).digest('hex')}`
          : input.signing;
        const headers: Record<string, string> = input.signing === 'none' ? {} : { 'x-hub-signature-256': signature };
        return checkRequest(fuzz, () => inject(fuzz, input, headers), isClientError);
      },
      close: () => fuzz.close(),
    };
  },
};

// ---- upstream Messages API ----

const UPSTREAM_SECRET = 'fuzz-upstream-signature-secret';

const upstreamCallback = fc.record(
  {
    message_uuid: ref,
    to: digits(7, 15),
    from: oddText,
    timestamp,
    status: mostly(fc.constantFrom('submitted', 'delivered', 'read', 'rejected', 'undeliverable', 'accepted'), oddText),
    channel: fc.constantFrom('sms', 'rcs', 'mms', 'whatsapp'),
    client_ref: oddText,
    usage: fc.record({ currency: fc.constantFrom('EUR', ''), price: fc.oneof(fc.constant('0.0330'), oddText) }),
    destination: fc.record({ network_code: oddText }),
    error: fc.record({ type: fc.constantFrom('https://developer.vonage.com/api-errors/messages#1360', '#1', ''), title: fc.oneof(fc.integer(), oddText), detail: oddText }, { requiredKeys: [] }),
    workflow: fc.oneof(
      fc.record({ workflow_id: oddText, items_number: fc.oneof(fc.constant('1'), oddText), items_total: fc.constant('2') }),
      fc.record({ id: oddText, item_number: fc.nat(), total_items: fc.nat() }),
    ),
    sms: fc.record({ count_total: fc.oneof(fc.constant('1'), oddText), total_count: fc.nat() }, { requiredKeys: [] }),
  },
  { requiredKeys: ['message_uuid', 'status'] },
);

const sign = createSigner({ key: UPSTREAM_SECRET, algorithm: 'HS256' });
const signWrongly = createSigner({ key: 'another-secret', algorithm: 'HS256' });

export const upstreamWebhookTarget: FuzzTarget<WebhookCase> = {
  name: 'webhook: upstream Messages API',
  async start() {
    const fuzz = await relayKnowing(
      { UPSTREAM_MESSAGES_URL: UNREACHABLE, UPSTREAM_API_KEY: 'k', UPSTREAM_API_SECRET: 's', UPSTREAM_SIGNATURE_SECRET: UPSTREAM_SECRET, UPSTREAM_CHANNELS: 'rcs' },
      'rcs',
    );
    return {
      arbitrary: fc
        .record({ body: bodyText(nearValid(upstreamCallback)), contentType, signing: fc.oneof({ weight: 10, arbitrary: signing }, { weight: 1, arbitrary: fc.constant('hash') }) })
        .map(({ body, contentType, signing }): WebhookCase => ({ method: 'POST', url: '/v1/providers/messages-api', body, ...(contentType !== undefined ? { contentType } : {}), signing })),
      async check(input) {
        const direct = parsedOrUndefined(input.body);
        normalizeCallback(direct, Date.now(), makeError);
        normalizeWorkflow((direct as { workflow?: unknown } | null)?.workflow);
        const payloadHash = createHash('sha256').update(input.signing === 'hash' ? `${input.body} ` : input.body).digest('hex');
        const claims = { iat: Math.floor(Date.now() / 1000), payload_hash: payloadHash };
        const authorization =
          input.signing === 'good' || input.signing === 'hash' ? `Bearer ${sign(claims)}`
          : input.signing === 'wrong' ? `Bearer ${signWrongly(claims)}`
          : input.signing;
        return checkRequest(fuzz, () => inject(fuzz, input, input.signing === 'none' ? {} : { authorization }), isClientError);
      },
      close: () => fuzz.close(),
    };
  },
};

// ---- websms ----

const WEBSMS_SECRET = 'fuzz-notification-secret-1';

const websmsReport = fc.record(
  {
    messageType: mostly(fc.constant('deliveryReport'), oddText),
    transferId: ref,
    deliveryReportMessageStatus: mostly(fc.constantFrom(...Object.keys(REPORT_STATUSES)), oddText),
    deliveredOn: timestamp,
    deliveredAs: fc.oneof(fc.constantFrom('sms', 'push', 'failover-sms', 'voice'), oddText),
    clientMessageId: oddText,
    recipientAddress: digits(7, 15),
  },
  { requiredKeys: ['messageType', 'transferId', 'deliveryReportMessageStatus'] },
);

export const websmsWebhookTarget: FuzzTarget<WebhookCase> = {
  name: 'webhook: websms',
  async start() {
    const fuzz = await relayKnowing(
      { WEBSMS_BASE_URL: UNREACHABLE, WEBSMS_ACCESS_TOKEN: 't', WEBSMS_NOTIFICATION_SECRET: WEBSMS_SECRET, WEBSMS_NOTIFICATION_BASE_URL: 'https://relay.example' },
      'sms',
    );
    return {
      arbitrary: fc
        .record({ body: bodyText(nearValid(websmsReport)), contentType, signing, inPath: fc.boolean() })
        .map(({ body, contentType, signing, inPath }): WebhookCase => {
          const secret = signing === 'good' ? WEBSMS_SECRET : signing === 'wrong' ? 'wrong-secret-wrong-secret' : signing === 'none' ? undefined : signing;
          const url = inPath && secret !== undefined ? `/v1/providers/websms/${encodeURIComponent(secret)}` : '/v1/providers/websms';
          const basic = !inPath && secret !== undefined ? `basic:${secret}` : 'none';
          return { method: 'POST', url, body, ...(contentType !== undefined ? { contentType } : {}), signing: basic };
        }),
      async check(input) {
        const direct = parsedOrUndefined(input.body);
        reportProblem(direct);
        normalizeReport(direct, Date.now(), makeError);
        const headers: Record<string, string> = input.signing === 'none' ? {} : { authorization: 'Basic ' + Buffer.from(`websms:${input.signing.slice('basic:'.length)}`).toString('base64') };
        return checkRequest(fuzz, () => inject(fuzz, input, headers), isClientError);
      },
      close: () => fuzz.close(),
    };
  },
};

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

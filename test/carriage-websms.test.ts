/**
 * websms (LINK Mobility) as an upstream SMS provider: a stand-in websms REST API on 127.0.0.1
 * takes the sends (Bearer or Basic) and answers with websms status codes in HTTP 200; the test
 * plays websms delivery reports to the protected endpoint; a receiver sees the callbacks.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAfterAll } from './helpers/cleanup.js';
import { startRelay, waitFor } from './helpers/relay.js';
import { post, startProviderRig, type ProviderRig, type ProviderRequest, type StandInAnswer } from './helpers/providers.js';
import { normalizeReport } from '../src/carriage/websms/reports.js';
import { REPORT_STATUSES, sendVerdict } from '../src/carriage/websms/codes.js';
import { makeError } from '../src/model/errors.js';
import { loadConfig } from '../src/config.js';

const SECRET = 'websms-notify-secret-1';
const open = closeAfterAll();

interface Rig extends ProviderRig {
  /** POSTs a delivery report as websms would, to the URL with the secret unless `path` says otherwise. */
  report(body: unknown, options?: { path?: string; headers?: Record<string, string> }): ReturnType<typeof post>;
}

let transfer = 0;
const accepted = (request: ProviderRequest): StandInAnswer => ({
  status: 200,
  body: { statusCode: 2000, statusMessage: 'OK', transferId: `0051949fe7${String(++transfer).padStart(10, '0')}`, clientMessageId: request.json.clientMessageId, smsCount: 1 },
});

async function rig(answer: (request: ProviderRequest, index: number) => StandInAnswer = accepted, env: Record<string, string> = { WEBSMS_ACCESS_TOKEN: 'token-1' }): Promise<Rig> {
  const r = await startProviderRig({
    answer,
    env: (baseUrl) => ({
      WEBSMS_BASE_URL: baseUrl,
      WEBSMS_NOTIFICATION_SECRET: SECRET,
      WEBSMS_NOTIFICATION_BASE_URL: 'https://relay.example.com',
      PROVIDER_RETRY_BASE_MS: '20',
      ...env,
    }),
    message: { channel: 'sms', to: '436641234567', from: 'ACME', text: 'Hello', client_ref: 'order-7' },
    open,
  });
  return {
    ...r,
    report(body, options = {}) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return post(`${r.relay.baseUrl}${options.path ?? `/v1/providers/websms/${SECRET}`}`, text, options.headers ?? {});
    },
  };
}

const dlr = (transferId: string, status: string, extra: Record<string, unknown> = {}) => ({
  messageType: 'deliveryReport',
  notificationId: '050f9005180a2a212469',
  transferId,
  senderAddress: 'ACME',
  recipientAddress: '436641234567',
  deliveryReportMessageStatus: status,
  sentOn: '2024-10-15T20:33:02.000+02:00',
  ...extra,
});

const OK = { statusCode: 2000, statusMessage: 'OK' };

test('sends with Bearer auth to /rest/smsmessaging/text; delivery reports become callbacks, deliveredAs carried', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const [request] = r.provider.requests;
  assert.equal(request.url, '/rest/smsmessaging/text');
  assert.equal(request.headers.authorization, 'Bearer token-1');
  assert.deepEqual(request.json, {
    recipientAddressList: ['436641234567'],
    messageContent: 'Hello',
    senderAddress: 'ACME',
    senderAddressType: 'alphanumeric',
    notificationCallbackUrl: `https://relay.example.com/v1/providers/websms/${SECRET}`,
    clientMessageId: uuid,
  });
  const accepted = await r.report(dlr(ref, 'accepted'));
  const undelivered = await r.report(dlr(ref, 'undelivered'));
  const delivered = await r.report(dlr(ref, 'delivered', { deliveredOn: new Date().toISOString(), deliveredAs: 'failover-sms', clientMessageId: uuid }));
  for (const answer of [accepted, undelivered, delivered]) assert.deepEqual([answer.status, answer.json], [200, OK]);
  await waitFor(() => r.callbacks(uuid).length === 2, 5_000, 'submitted and delivered');
  const [submitted, done] = r.callbacks(uuid);
  assert.deepEqual([submitted.status, done.status], ['submitted', 'delivered']);
  assert.deepEqual(done.websms, { delivered_as: 'failover-sms' });
  assert.equal(done.client_ref, 'order-7');
});

test('expired, deleted and rejected reports reject with their codes; HTTP Basic with the secret is accepted too', async () => {
  const r = await rig(accepted, { WEBSMS_USERNAME: 'user', WEBSMS_PASSWORD: 'pass' });
  const uuids = [await r.send(), await r.send(), await r.send()];
  const refs = await Promise.all(uuids.map((uuid) => r.providerRef(uuid)));
  assert.equal(r.provider.requests[0].headers.authorization, `Basic ${Buffer.from('user:pass').toString('base64')}`);
  const basic = { authorization: `Basic ${Buffer.from(`websms:${SECRET}`).toString('base64')}` };
  await r.report(dlr(refs[0], 'expired'));
  await r.report(dlr(refs[1], 'deleted'), { path: '/v1/providers/websms', headers: basic });
  await r.report(dlr(refs[2], 'rejected'));
  await waitFor(() => uuids.every((uuid) => r.callbacks(uuid).length === 2), 5_000, 'three rejections');
  assert.deepEqual(uuids.map((uuid) => r.callbacks(uuid)[1].error.title), ['1360', '1330', '1330']);
});

test('a wrong or missing secret, broken JSON and other input are refused with a counted reason', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const results = [
    await r.report(dlr(ref, 'delivered'), { path: '/v1/providers/websms/wrong-secret-wrong-secret' }),
    await r.report(dlr(ref, 'delivered'), { path: '/v1/providers/websms' }),
    await r.report('{not json'),
    await r.report({ messageType: 'text', notificationId: 'x', senderAddress: '43660', textMessageContent: 'hi' }),
    await r.report(dlr('', 'delivered')),
  ];
  assert.deepEqual(results.map((x) => [x.status, x.json.statusCode]), [[401, 4001], [401, 4001], [400, 4000], [400, 4000], [400, 4000]]);
  const unknown = await r.report(dlr(ref, 'exploded'));
  assert.deepEqual([unknown.status, unknown.json], [200, OK], 'an unknown status is parked and acknowledged');
  const metrics = await (await fetch(`${r.relay.baseUrl}/metrics`)).text();
  for (const reason of ['bad-secret', 'no-secret', 'broken-json', 'not-a-report', 'malformed', 'unknown-state']) {
    assert.match(metrics, new RegExp(`statusrelay_provider_input_refused_total\\{source="websms",reason="${reason}"\\} 1`), reason);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted'], 'nothing was applied');
});

test('status codes in the HTTP 200 answer: 4002 rejects (1170), 5003 is retried, 4001 makes it undeliverable', async () => {
  const r = await rig((request, i) => {
    const text = request.json.messageContent;
    if (text === 'bad recipient') return { status: 200, body: { statusCode: 4002, statusMessage: 'invalid recipient' } };
    if (text === 'busy' && i < 2) return { status: 200, body: { statusCode: 5003, statusMessage: 'service unavailable' } };
    if (text === 'denied') return { status: 200, body: { statusCode: 4001, statusMessage: 'invalid credentials' } };
    return accepted(request);
  });
  const bad = await r.send({ text: 'bad recipient' });
  await waitFor(() => r.callbacks(bad).length === 1, 5_000, 'rejected');
  assert.deepEqual([r.callbacks(bad)[0].status, r.callbacks(bad)[0].error.title], ['rejected', '1170']);
  const busy = await r.send({ text: 'busy' });
  await waitFor(() => r.callbacks(busy).length === 1, 5_000, 'submitted after a retry');
  assert.equal(r.callbacks(busy)[0].status, 'submitted');
  const denied = await r.send({ text: 'denied' });
  await waitFor(() => r.callbacks(denied).length === 1, 5_000, 'undeliverable');
  assert.deepEqual([r.callbacks(denied)[0].status, r.callbacks(denied)[0].error.title], ['undeliverable', '1331']);
});

test('without websms configured its endpoint exists and refuses everything', async () => {
  const relay = await startRelay();
  open.push(() => relay.stop());
  const res = await post(`${relay.baseUrl}/v1/providers/websms/${SECRET}`, JSON.stringify(dlr('x', 'delivered')), {});
  assert.equal(res.status, 404);
});

const err = (code: number) => makeError(code, 'https://e', 'i');
const REPORTS: Array<[status: string, expected: { status: string; error?: string } | 'nothing']> = [
  ['accepted', { status: 'submitted' }],
  ['undelivered', 'nothing'],
  ['delivered', { status: 'delivered' }],
  ['expired', { status: 'rejected', error: '1360' }],
  ['deleted', { status: 'rejected', error: '1330' }],
  ['rejected', { status: 'rejected', error: '1330' }],
];

for (const [status, expected] of REPORTS) {
  test(`deliveryReportMessageStatus ${status} → ${expected === 'nothing' ? 'nothing' : `${expected.status} ${expected.error ?? ''}`}`, () => {
    const normalized = normalizeReport(dlr('t-1', status), 1_700_000_000_000, err);
    if (expected === 'nothing') return assert.equal(normalized, undefined);
    assert.ok(normalized?.ok);
    assert.deepEqual([normalized.ref, normalized.report.status, normalized.report.error?.title], ['t-1', expected.status, expected.error]);
  });
}
test('the report table has exactly the rows tested', () => assert.deepEqual(Object.keys(REPORT_STATUSES).sort(), REPORTS.map(([s]) => s).sort()));

test('deliveredOn dates a delivery; an unknown status is parked with its reason', () => {
  const now = Date.parse('2024-10-15T19:00:00Z');
  const delivered = normalizeReport(dlr('t', 'delivered', { deliveredOn: '2024-10-15T20:33:03.000+02:00' }), now, err);
  assert.ok(delivered?.ok && delivered.report.occurred_at === Date.parse('2024-10-15T18:33:03Z'));
  assert.deepEqual(normalizeReport(dlr('t', 'toString'), now, err), { ok: false, reason: 'unknown-state', detail: 'deliveryReportMessageStatus "toString" has no mapping', ref: 't' });
});

const SEND_CODES: Array<[code: number, expected: ReturnType<typeof sendVerdict>]> = [
  [2000, { kind: 'accepted' }],
  [2001, { kind: 'accepted' }],
  [4001, { kind: 'undeliverable', code: 1331 }],
  [4002, { kind: 'rejected', code: 1170 }],
  [4003, { kind: 'rejected', code: 1020 }],
  [4013, { kind: 'retry' }],
  [4023, { kind: 'retry' }],
  [4029, { kind: 'rejected', code: 1250 }],
  [4031, { kind: 'rejected', code: 1240 }],
  [4099, { kind: 'rejected', code: 1331 }],
  [5003, { kind: 'retry' }],
  [5999, { kind: 'retry' }],
];

for (const [code, expected] of SEND_CODES) {
  test(`send statusCode ${code} → ${JSON.stringify(expected)}`, () => assert.deepEqual(sendVerdict(code), expected));
}

test('settings: WEBSMS_CHANNELS, the secret and the credentials are checked', () => {
  const base = { WEBSMS_BASE_URL: 'https://api.example.com', WEBSMS_ACCESS_TOKEN: 't', WEBSMS_NOTIFICATION_SECRET: SECRET, WEBSMS_NOTIFICATION_BASE_URL: 'https://relay.example.com' };
  assert.equal(loadConfig(base).providers.carriers.sms, 'websms');
  assert.equal(loadConfig({ ...base, SMSC_URL: 'smpp://a:b@127.0.0.1:2775' }).providers.carriers.sms, 'smpp');
  assert.throws(() => loadConfig({ ...base, WEBSMS_CHANNELS: 'whatsapp' }), /WEBSMS_CHANNELS names a channel websms cannot carry/);
  assert.throws(() => loadConfig({ ...base, WEBSMS_NOTIFICATION_SECRET: 'short' }), /WEBSMS_NOTIFICATION_SECRET/);
  assert.throws(() => loadConfig({ ...base, WEBSMS_USERNAME: 'u', WEBSMS_PASSWORD: 'p' }), /either WEBSMS_ACCESS_TOKEN or/);
  assert.throws(() => loadConfig({ WEBSMS_CHANNELS: 'sms' }), /WEBSMS_CHANNELS is set but WEBSMS_BASE_URL is not/);
});

/**
 * Reselling through an upstream Messages API: a stand-in upstream on 127.0.0.1 takes the
 * sends (Basic or JWT auth) and the test sends its signed status callbacks, in both workflow
 * spellings and with numeric or string error titles.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import { closeAfterAll } from './helpers/cleanup.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { startRelay, waitFor } from './helpers/relay.js';
import { post, startProviderRig, upstreamAuthorization, type ProviderRig } from './helpers/providers.js';
import { normalizeCallback, normalizeWorkflow, upstreamErrorCode } from '../src/carriage/upstream/callbacks.js';
import { makeError } from '../src/model/errors.js';

const SIG = 'upstream-signature-secret';
const open = closeAfterAll();

interface Rig extends ProviderRig {
  /** POSTs a signed status callback as the upstream would. */
  callback(body: unknown, authorization?: string): ReturnType<typeof post>;
}

async function rig(env: Record<string, string> = { UPSTREAM_API_KEY: 'key', UPSTREAM_API_SECRET: 'secret' }): Promise<Rig> {
  let n = 0;
  const r = await startProviderRig({
    answer: () => ({ status: 202, body: { message_uuid: `up-${++n}` } }),
    env: (baseUrl) => ({ UPSTREAM_MESSAGES_URL: baseUrl, UPSTREAM_SIGNATURE_SECRET: SIG, UPSTREAM_CHANNELS: 'rcs,mms', ...env }),
    message: { channel: 'rcs', to: '447700900000', from: 'Brand', text: 'Hi', client_ref: 'c-1' },
    open,
  });
  return {
    ...r,
    callback(body, authorization) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return post(`${r.relay.baseUrl}/v1/providers/messages-api`, text, { authorization: authorization ?? upstreamAuthorization(text, SIG) });
    },
  };
}

test('sends with Basic auth; signed callbacks in both workflow spellings become callbacks', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const [request] = r.provider.requests;
  assert.equal(request.url, '/v1/messages');
  assert.equal(request.headers.authorization, `Basic ${Buffer.from('key:secret').toString('base64')}`);
  assert.deepEqual(request.json, { message_type: 'text', channel: 'rcs', to: '447700900000', from: 'Brand', text: 'Hi', client_ref: 'c-1' });

  const base = { message_uuid: ref, to: '447700900000', from: 'Brand', channel: 'rcs', timestamp: new Date().toISOString() };
  const a = await r.callback({ ...base, status: 'delivered', workflow: { workflow_id: 'w1', items_number: '1', items_total: '2' }, destination: { network_code: '23410' }, usage: { currency: 'EUR', price: '0.0250' } });
  const b = await r.callback({ ...base, status: 'read', workflow: { id: 'w1', item_number: 1, total_items: 2 } });
  assert.deepEqual([a.status, b.status], [200, 200]);
  await waitFor(() => r.callbacks(uuid).length === 3, 5_000, 'three callbacks');
  const [submitted, delivered, read] = r.callbacks(uuid);
  assert.deepEqual([submitted.status, delivered.status, read.status], ['submitted', 'delivered', 'read']);
  assert.deepEqual(delivered.usage, { currency: 'EUR', price: '0.0250' });
  assert.deepEqual(delivered.destination, { network_code: '23410' });
  assert.equal(delivered.client_ref, 'c-1');
  // Both spellings were read; a third one would have been counted as unreadable.
  const metrics = await (await fetch(`${r.relay.baseUrl}/metrics`)).text();
  assert.doesNotMatch(metrics, /reason="unreadable-workflow"/);
});

test('numeric and string error titles both give the right code', async () => {
  const r = await rig();
  const [one, two] = [await r.send(), await r.send({ channel: 'mms', message_type: 'image', text: undefined, image: { url: 'https://img.example/x.png' } })];
  const [ref1, ref2] = [await r.providerRef(one), await r.providerRef(two)];
  assert.deepEqual(r.provider.requests[1].json.image, { url: 'https://img.example/x.png' });
  await r.callback({ message_uuid: ref1, status: 'rejected', timestamp: new Date().toISOString(), error: { type: 'https://x/errors#1300', title: 1300, detail: 'not on RCS' } });
  await r.callback({ message_uuid: ref2, status: 'rejected', timestamp: new Date().toISOString(), error: { title: '1380', detail: 'bad media' } });
  // The MMS has no `submitted` of ours: on SMS and MMS only the upstream's own is forwarded.
  await waitFor(() => r.callbacks(one).length === 2 && r.callbacks(two).length === 1, 5_000, 'rejections');
  assert.equal(r.callbacks(one)[1].error.title, '1300');
  assert.equal(r.callbacks(two)[0].error.title, '1380');
});

test('SMS and MMS: the upstream\'s own submitted is forwarded, with its usage and network code, and no submitted of ours', async () => {
  const r = await rig({ UPSTREAM_API_KEY: 'key', UPSTREAM_API_SECRET: 'secret', UPSTREAM_CHANNELS: 'sms,mms,rcs' });
  const [sms, rcs] = [await r.send({ channel: 'sms' }), await r.send()];
  const [smsRef, rcsRef] = [await r.providerRef(sms), await r.providerRef(rcs)];
  await waitFor(() => r.callbacks(rcs).length === 1, 5_000, 'our submitted of the RCS message');
  assert.deepEqual(r.callbacks(sms), [], 'nothing before the upstream reports');
  const at = new Date().toISOString();
  const submitted = { message_uuid: smsRef, status: 'submitted', timestamp: at, usage: { currency: 'EUR', price: '0.0333' }, destination: { network_code: '23201' }, sms: { count_total: '1' } };
  assert.equal((await r.callback(submitted)).status, 200);
  assert.equal((await r.callback({ ...submitted, usage: undefined })).status, 200, 'a repeat is acknowledged');
  await r.callback({ message_uuid: smsRef, status: 'delivered', timestamp: at });
  await r.callback({ message_uuid: rcsRef, status: 'submitted', timestamp: at, destination: { network_code: '23201' } });
  await waitFor(() => r.callbacks(sms).length === 2, 5_000, 'submitted and delivered');
  const [first, second] = r.callbacks(sms);
  assert.deepEqual([first.status, first.usage, first.destination, first.sms], ['submitted', { currency: 'EUR', price: '0.0333' }, { network_code: '23201' }, { count_total: '1' }]);
  assert.equal(second.status, 'delivered');
  assert.equal(second.usage, undefined, 'charged once');
  // RCS is billed on delivered: our submitted went out at hand-over; the upstream's is a duplicate.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(r.callbacks(rcs).map((c) => c.status), ['submitted']);
});

test('unsigned, wrongly signed and hash-mismatched callbacks are refused with 401', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const body = JSON.stringify({ message_uuid: ref, status: 'delivered', timestamp: new Date().toISOString() });
  const results = [
    await r.callback(body, ''),
    await r.callback(body, upstreamAuthorization(body, 'wrong-secret')),
    await r.callback(body, upstreamAuthorization(body, SIG, { payload_hash: 'ab'.repeat(32) })),
    await r.callback(body.replace('delivered', 'read'), upstreamAuthorization(body, SIG)),
  ];
  assert.deepEqual(results.map((x) => x.status), [401, 401, 401, 401]);
  assert.equal((await r.callback('{not json')).status, 400);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(r.callbacks(uuid).map((c) => c.status), ['submitted']);
  const metrics = await (await fetch(`${r.relay.baseUrl}/metrics`)).text();
  assert.match(metrics, /source="upstream",reason="bad-payload-hash"\} 2/);
});

test('JWT auth signs each send with the application private key', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const r = await rig({ UPSTREAM_APPLICATION_ID: 'app-9', UPSTREAM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
  await r.providerRef(await r.send());
  const token = String(r.provider.requests[0].headers.authorization).replace(/^Bearer /, '');
  const claims = createVerifier({ key: publicKey.export({ type: 'spki', format: 'pem' }).toString(), algorithms: ['RS256'] })(token);
  assert.equal(claims.application_id, 'app-9');
  assert.ok(claims.jti && claims.iat && claims.exp);
});

test('without an upstream configured its webhook refuses everything', async () => {
  const relay = await startRelay();
  open.push(() => relay.stop());
  const body = JSON.stringify({ message_uuid: 'x', status: 'delivered' });
  const res = await post(`${relay.baseUrl}/v1/providers/messages-api`, body, { authorization: upstreamAuthorization(body, SIG) });
  assert.equal(res.status, 404);
  assert.equal(res.json.title, 'Provider not configured');
});

const workflows: Array<[name: string, raw: unknown, expected: unknown]> = [
  ['public spelling', { workflow_id: 'w', items_number: '2', items_total: '3' }, { workflow_id: 'w', items_number: '2', items_total: '3' }],
  ['other spelling with numbers', { id: 'w', item_number: 2, total_items: 3 }, { workflow_id: 'w', items_number: '2', items_total: '3' }],
  ['incomplete', { id: 'w', item_number: 2 }, undefined],
  ['not an object', 'w', undefined],
];
for (const [name, raw, expected] of workflows) {
  test(`normalizeWorkflow: ${name}`, () => assert.deepEqual(normalizeWorkflow(raw), expected));
}

const codes: Array<[raw: unknown, expected: number | undefined]> = [
  [{ title: 1360 }, 1360],
  [{ title: '1360' }, 1360],
  [{ title: 'Throttled', type: 'https://x/errors#1000' }, 1000],
  [{ title: 4242 }, undefined],
  [undefined, undefined],
];
for (const [raw, expected] of codes) {
  test(`upstreamErrorCode ${JSON.stringify(raw)}`, () => assert.equal(upstreamErrorCode(raw), expected));
}

test('normalizeCallback: unknown status is parked, unknown code becomes 1331, total_count is read', () => {
  const err = (code: number) => makeError(code, 'https://e', 'i');
  assert.deepEqual(normalizeCallback({ message_uuid: 'u', status: 'opened' }, 0, err), { ok: false, reason: 'unknown-state', detail: 'status "opened" has no mapping', ref: 'u' });
  const rejected = normalizeCallback({ message_uuid: 'u', status: 'rejected', error: { title: 77 } }, 5, err);
  assert.ok(rejected.ok && rejected.report.error?.title === '1331');
  const sms = normalizeCallback({ message_uuid: 'u', status: 'submitted', sms: { total_count: '2' } }, 5, err);
  assert.ok(sms.ok && sms.report.sms?.count_total === '2');
  assert.deepEqual(normalizeCallback([], 0, err), { ok: false, reason: 'malformed', detail: 'callback without message_uuid' });
});

test('a callback whose fields are objects with their own toString is parked, not a 500', async () => {
  const r = await rig();
  const uuid = await r.send();
  const ref = await r.providerRef(uuid);
  const odd = await r.callback({ message_uuid: ref, status: { toString: 1 }, timestamp: { toString: 1 } });
  assert.equal(odd.status, 200, JSON.stringify(odd.json));
  const rejected = await r.callback({ message_uuid: ref, status: 'rejected', timestamp: new Date().toISOString(), error: { type: { toString: 1 }, title: { valueOf: 1 } } });
  assert.equal(rejected.status, 200, JSON.stringify(rejected.json));
  await waitFor(() => r.callbacks(uuid).length === 2, 5_000, 'the rejection');
  assert.equal(r.callbacks(uuid)[1].status, 'rejected');
  assert.match(await (await fetch(`${r.relay.baseUrl}/metrics`)).text(), /provider_input_refused_total\{[^}]*reason="unknown-state"/);
});

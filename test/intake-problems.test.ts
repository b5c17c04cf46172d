/**
 * problem+json from the real REST API: the Fastify app a relay builds with buildApi
 * (src/intake/api/server.ts), driven through app.inject(). Every refusal has the catalogue's
 * type, title and status, the request id as instance, nothing else, and stores nothing.
 */
import './helpers/leak-guard.js';
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { PROBLEMS, type ProblemKind } from '../src/http/problems.js';
import { createAccount } from '../src/intake/accounts.js';
import { basicAuth, startReceiver, startRelay, type Receiver, type RunningRelay } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { SILENT_SIMULATOR, callbacksOf, report, sendMessage } from './helpers/forwarding.js';

const BODY_LIMIT = 1024;
const NO_SUCH_UUID = '00000000-0000-4000-8000-000000000000';

const logLines: string[] = [];
const logger = pino(
  { level: 'error' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

let running: RunningRelay;
let hanging: Receiver;

before(async () => {
  // RESPONSE_TIMEOUT_MS: a callback to `hanging` stays in flight for the whole file.
  running = await startRelay({ ...SILENT_SIMULATOR, BODY_LIMIT_BYTES: String(BODY_LIMIT), RESPONSE_TIMEOUT_MS: '600000', LEASE_MS: '3600000' }, { logger });
  hanging = await startReceiver({ answer: () => 'hang' });
});

after(async () => {
  await hanging.close(); // ends the hanging attempt, so the relay can stop
  await running.stop();
});

/** An authenticated request to the relay's own app; `payload` objects are sent as JSON. */
function inject(method: InjectOptions['method'], url: string, options: { payload?: unknown; headers?: Record<string, string> } = {}) {
  const json = options.payload !== undefined ? { 'content-type': 'application/json' } : {};
  return running.relay.api.inject({
    method,
    url,
    headers: { authorization: running.auth, ...json, ...options.headers },
    ...(options.payload !== undefined ? { payload: options.payload as InjectOptions['payload'] } : {}),
  });
}

/** Asserts the answer is exactly the catalogue's `kind` problem; returns its body. */
function assertProblem(response: LightMyRequestResponse, kind: ProblemKind, detail: RegExp) {
  const { status, type, title } = PROBLEMS[kind];
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json\b/);
  const body = response.json();
  const { invalid_parameters, ...rest } = body;
  assert.deepEqual(rest, { type, title, status, detail: rest.detail, instance: rest.instance });
  assert.match(body.detail, detail);
  assert.ok(typeof body.instance === 'string' && body.instance.length > 0, 'instance is the request id');
  assert.equal(invalid_parameters !== undefined, kind === 'invalid-parameters', 'invalid_parameters only on 422');
  return body;
}

/** The names of a 422's invalid parameters, each with a reason. */
function invalidNames(response: LightMyRequestResponse, detail = /invalid/): string[] {
  const body = assertProblem(response, 'invalid-parameters', detail);
  for (const parameter of body.invalid_parameters) assert.ok(parameter.reason.length > 0, `${parameter.name} has a reason`);
  return body.invalid_parameters.map((parameter: { name: string }) => parameter.name);
}

/** A message request whose JSON is exactly `bytes` long. */
function messageOfSize(bytes: number): string {
  const empty = JSON.stringify(textMessage({ text: '' }));
  const body = JSON.stringify(textMessage({ text: 'x'.repeat(bytes - empty.length) }));
  assert.equal(Buffer.byteLength(body), bytes);
  return body;
}

test('malformed or empty JSON is 400 malformed-json', async () => {
  assertProblem(await inject('POST', '/v1/messages', { payload: '{"channel": ' }), 'malformed-json', /JSON/);
  assertProblem(await inject('POST', '/v1/messages', { payload: '' }), 'malformed-json', /empty|JSON/i);
  assertProblem(await inject('PUT', '/v1/forwarding', { payload: '{"enabled": tru}' }), 'malformed-json', /JSON/);
});

test('a body over BODY_LIMIT_BYTES is 413; one of exactly that size is accepted', async () => {
  assert.equal((await inject('POST', '/v1/messages', { payload: messageOfSize(BODY_LIMIT) })).statusCode, 202);
  assertProblem(await inject('POST', '/v1/messages', { payload: messageOfSize(BODY_LIMIT + 1) }), 'payload-too-large', /too large/i);
});

test('a body that is not JSON is 415', async () => {
  const response = await inject('POST', '/v1/messages', { payload: '<message/>', headers: { 'content-type': 'application/xml' } });
  assertProblem(response, 'unsupported-media-type', /unsupported media type/i);
});

test('missing, wrong or non-Basic credentials are 401 on every /v1 route', async () => {
  const wrong = basicAuth({ api_key: running.credentials.api_key, api_secret: 'not the secret' });
  const routes: Array<[InjectOptions['method'], string, unknown?]> = [
    ['POST', '/v1/messages', textMessage()],
    ['GET', `/v1/messages/${NO_SUCH_UUID}`],
    ['GET', `/v1/messages/${NO_SUCH_UUID}/callbacks`],
    ['GET', '/v1/account'],
    ['PATCH', '/v1/account', { status_url: null }],
    ['GET', '/v1/forwarding'],
    ['PUT', '/v1/forwarding', {}],
    ['POST', `/v1/callbacks/${NO_SUCH_UUID}/replay`],
    ['POST', '/v1/callbacks/replay', { since: '2026-01-01T00:00:00Z' }],
  ];
  for (const [method, url, payload] of routes) {
    for (const authorization of [wrong, 'Bearer abc', '']) {
      const response = await inject(method, url, { payload, headers: { authorization } });
      assertProblem(response, 'unauthorized', /^Send HTTP Basic auth with your api_key and api_secret\.$/);
    }
  }
});

test('422 names every invalid field', async () => {
  const message = (payload: unknown) => inject('POST', '/v1/messages', { payload });
  assert.deepEqual(invalidNames(await message(textMessage({ to: '+4477' }))), ['to']);
  assert.deepEqual(invalidNames(await message(textMessage({ channel: 'whatsapp', message_type: 'image', text: undefined, image: {} }))), ['image.url']);
  assert.deepEqual(invalidNames(await message(textMessage({ channel: 'rcs', failover: [textMessage({ to: 'abc' })] }))), ['failover[0].to']);
  assert.deepEqual(invalidNames(await message(textMessage({ to: '1', webhook_url: 'ftp://x', ttl: 5 }))).sort(), ['to', 'ttl', 'webhook_url']);
  assert.deepEqual(invalidNames(await inject('PATCH', '/v1/account', { payload: { status_url: 'not a url', colour: 'blue' } })).sort(), ['colour', 'status_url']);
  const rules = { sms: { api: { type: 'url', url: 'https://example.com/r', format: 'json' } }, ott: { statuses: ['read', 'seen'] } };
  assert.deepEqual(invalidNames(await inject('PUT', '/v1/forwarding', { payload: rules })).sort(), ['ott.statuses[1]', 'sms.api.type']);
  assert.deepEqual(invalidNames(await inject('POST', '/v1/callbacks/replay', { payload: { since: 'yesterday' } }), /replay window/), ['since']);
});

test('unknown routes, messages, callbacks and other accounts’ messages are 404', async () => {
  assertProblem(await inject('GET', '/nope'), 'not-found', /^No route for GET \/nope\.$/);
  assertProblem(await inject('DELETE', '/v1/messages'), 'not-found', /^No route for DELETE \/v1\/messages\.$/);
  assertProblem(await inject('GET', `/v1/messages/${NO_SUCH_UUID}`), 'not-found', new RegExp(`^No message ${NO_SUCH_UUID}\\.$`));
  assertProblem(await inject('POST', `/v1/callbacks/${NO_SUCH_UUID}/replay`), 'not-found', new RegExp(`^No callback ${NO_SUCH_UUID}\\.$`));

  const uuid = await sendMessage(running);
  const other = await createAccount(running.relay.store, 'other', Date.now());
  const asOther = { authorization: basicAuth(other) };
  assert.equal((await inject('GET', `/v1/messages/${uuid}`)).statusCode, 200);
  assertProblem(await inject('GET', `/v1/messages/${uuid}`, { headers: asOther }), 'not-found', new RegExp(`^No message ${uuid}\\.$`));
  assertProblem(await inject('GET', `/v1/messages/${uuid}/callbacks`, { headers: asOther }), 'not-found', /^No message/);
});

test('a provider webhook is 404 provider-not-configured while its provider is not', async () => {
  for (const url of ['/v1/providers/whatsapp', '/v1/providers/messages-api']) {
    assertProblem(await inject('POST', url, { payload: {} }), 'provider-not-configured', /is not configured on this relay/);
  }
});

test('replaying a callback that has not finished is 409', async () => {
  const uuid = await sendMessage(running, { webhook_url: hanging.url });
  await report(running, uuid, ['submitted']);
  const [callback] = await callbacksOf(running, uuid, (callbacks) => callbacks[0]?.state === 'inflight');
  const response = await inject('POST', `/v1/callbacks/${callback.id}/replay`);
  assertProblem(response, 'conflict', new RegExp(`^Callback ${callback.id} is still inflight; only finished callbacks can be replayed\\.$`));
});

test('an unexpected error is 500 internal: logged with the request id, its message kept out of the body', async (t) => {
  const uuid = await sendMessage(running);
  t.mock.method(running.relay.store, 'getMessage', async () => {
    throw new Error('database password is hunter2');
  });
  const response = await inject('GET', `/v1/messages/${uuid}`);
  const body = assertProblem(response, 'internal', /^An unexpected error occurred\.$/);
  assert.doesNotMatch(response.body, /hunter2|\.js:\d+/);

  const logged = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.reqId === body.instance);
  assert.equal(logged.length, 1, JSON.stringify(logLines));
  assert.equal(logged[0].msg, 'unhandled error in request');
  assert.equal(logged[0].err.message, 'database password is hunter2');
});

test('each answer carries its own request id as instance', async () => {
  const instances = [];
  for (let i = 0; i < 3; i++) instances.push((await inject('GET', '/nope')).json().instance);
  assert.equal(new Set(instances).size, 3, instances.join());
});

test('a refused request stores nothing', async () => {
  const stored = async () => (await running.relay.store.listOpen(1_000)).length;
  const before = await stored();
  const refused = [
    await inject('POST', '/v1/messages', { payload: '{"channel": ' }),
    await inject('POST', '/v1/messages', { payload: messageOfSize(BODY_LIMIT + 1) }),
    await inject('POST', '/v1/messages', { payload: '<message/>', headers: { 'content-type': 'application/xml' } }),
    await inject('POST', '/v1/messages', { payload: textMessage(), headers: { authorization: '' } }),
    await inject('POST', '/v1/messages', { payload: textMessage({ channel: 'rcs', failover: [textMessage({ to: 'abc' })] }) }),
  ];
  assert.deepEqual(refused.map((response) => response.statusCode), [400, 413, 415, 401, 422]);
  assert.equal(await stored(), before);
  assert.equal((await inject('POST', '/v1/messages', { payload: textMessage() })).statusCode, 202);
  assert.equal(await stored(), before + 1, 'the count sees a stored message');
});

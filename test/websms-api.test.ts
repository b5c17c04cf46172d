/**
 * The websms REST API and the legacy XML interface end to end: a websms client written from the
 * API's public facts (plain fetch, its field names and codes; none of our types), a real relay,
 * and real receivers on 127.0.0.1 that answer like websms webhook receivers and verify both
 * signatures with the public verifiers.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRelay, verifyCallback, waitFor, type RunningRelay } from './helpers/relay.js';

const SILENT_SIMULATOR = { SIMULATOR_TIME_SCALE: '1000' };

// ---- the websms client: what a customer's existing code sends ----

interface WebsmsAnswer {
  status: number;
  body: any;
  contentType: string | null;
}

async function websms(relay: RunningRelay, path: string, init: { body?: unknown; auth?: string; method?: string; form?: boolean } = {}): Promise<WebsmsAnswer> {
  const headers: Record<string, string> = { authorization: init.auth ?? relay.auth };
  let body: string | undefined;
  if (init.body !== undefined) {
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.body as Record<string, string>).toString();
    } else {
      headers['content-type'] = 'application/json;charset=UTF-8';
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    }
  }
  const response = await fetch(relay.baseUrl + path, { method: init.method ?? 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: response.status, body: parsed, contentType: response.headers.get('content-type') };
}

const sendText = (relay: RunningRelay, body: Record<string, unknown>, auth?: string) =>
  websms(relay, '/rest/smsmessaging/text', { body, ...(auth ? { auth } : {}) });

function textRequest(overrides: Record<string, unknown> = {}) {
  return {
    recipientAddressList: ['436641234567'],
    messageContent: 'Hello from websms',
    senderAddress: 'ACME',
    senderAddressType: 'alphanumeric',
    ...overrides,
  };
}

// ---- a websms webhook receiver ----

interface Delivered {
  body: string;
  json: any;
  verified: boolean;
  verifyError?: string;
  contentType?: string;
}

async function websmsReceiver(secret: string, answer: (index: number) => { status?: number; body?: string } = () => ({ body: '{"statusCode":2000,"statusMessage":"OK"}' })) {
  const received: Delivered[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivered: Delivered = { body, json: undefined, verified: false, contentType: request.headers['content-type'] };
      try {
        delivered.json = JSON.parse(body);
      } catch {
        // XML
      }
      try {
        verifyCallback(body, request.headers, secret);
        delivered.verified = true;
      } catch (error) {
        delivered.verifyError = (error as Error).message;
      }
      received.push(delivered);
      const { status = 200, body: reply = '' } = answer(received.length - 1);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/websms/dlr`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function history(relay: RunningRelay, id: string) {
  return relay.api('GET', `/v1/messages/${id}`);
}

async function callbacksOf(relay: RunningRelay, id: string) {
  return (await relay.api('GET', `/v1/messages/${id}/callbacks`)).body.callbacks as any[];
}

function report(relay: RunningRelay, uuid: string, status: string, extra: Record<string, unknown> = {}) {
  return relay.relay.recorder.record({ message_uuid: uuid, status: status as never, occurred_at: Date.now(), source: 'test', ...extra });
}

const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/;

// ---- sending ----

test('one recipient: the websms answer, the transferId finds the message, reports arrive field by field and verify', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  const receiver = await websmsReceiver(relay.credentials.signature_secret);
  t.after(async () => {
    await relay.stop();
    await receiver.close();
  });

  const answer = await sendText(relay, textRequest({ notificationCallbackUrl: receiver.url, clientMessageId: 'cm-1' }));
  assert.equal(answer.status, 200);
  assert.match(answer.contentType ?? '', /^application\/json/);
  assert.equal(answer.body.statusCode, 2000);
  assert.equal(answer.body.statusMessage, 'OK');
  assert.equal(answer.body.clientMessageId, 'cm-1');
  assert.equal(answer.body.smsCount, 1);
  assert.equal(typeof answer.body.transferId, 'string');
  const transferId: string = answer.body.transferId;

  const shown = await history(relay, transferId);
  assert.equal(shown.status, 200, JSON.stringify(shown.body));
  assert.equal(shown.body.interface, 'websms');
  assert.equal(shown.body.transfer_id, transferId);
  assert.equal(shown.body.to, '436641234567');
  assert.equal(shown.body.from, 'ACME');
  assert.equal(shown.body.client_ref, 'cm-1');
  const uuid: string = shown.body.message_uuid;

  await report(relay, uuid, 'submitted');
  await report(relay, uuid, 'delivered');
  await waitFor(() => receiver.received.length === 2, 5_000, 'two delivery reports');

  const [accepted, delivered] = receiver.received;
  for (const dlr of receiver.received) {
    assert.equal(dlr.verified, true, dlr.verifyError);
    assert.match(dlr.contentType ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(dlr.json), [
      'messageType', 'notificationId', 'transferId', 'senderAddress', 'recipientAddress',
      'deliveryReportMessageStatus', 'sentOn', 'deliveredOn', 'deliveredAs', 'clientMessageId',
    ]);
    assert.equal(dlr.json.messageType, 'deliveryReport');
    assert.match(dlr.json.notificationId, /^[0-9a-f]{20}$/);
    assert.equal(dlr.json.transferId, transferId);
    assert.equal(dlr.json.senderAddress, 'ACME');
    assert.equal(dlr.json.recipientAddress, '436641234567');
    assert.match(dlr.json.sentOn, ISO_WITH_OFFSET);
    assert.equal(dlr.json.deliveredAs, 'sms');
    assert.equal(dlr.json.clientMessageId, 'cm-1');
  }
  assert.equal(accepted!.json.deliveryReportMessageStatus, 'accepted');
  assert.equal(accepted!.json.deliveredOn, null);
  assert.equal(delivered!.json.deliveryReportMessageStatus, 'delivered');
  assert.match(delivered!.json.deliveredOn, ISO_WITH_OFFSET);
  assert.notEqual(accepted!.json.notificationId, delivered!.json.notificationId);

  // The history of the callbacks, found through the transferId too: each delivered on the first attempt.
  await waitFor(async () => (await callbacksOf(relay, transferId)).every((callback) => callback.state === 'delivered'), 5_000, 'delivered state');
  const callbacks = await callbacksOf(relay, transferId);
  assert.equal(callbacks.length, 2);
  assert.deepEqual(callbacks.map((callback) => callback.format), ['websms_json', 'websms_json']);
  assert.deepEqual(callbacks.map((callback) => callback.attempts), [1, 1]);
});

test('many recipients: one transferId, one message and one report stream per recipient', async (t) => {
  const relay = await startRelay({ SIMULATOR_TIME_SCALE: '0.01' });
  const receiver = await websmsReceiver(relay.credentials.signature_secret);
  t.after(async () => {
    await relay.stop();
    await receiver.close();
  });
  const recipients = ['436641000001', '436641000002', '436641000003'];
  const answer = await sendText(relay, textRequest({ recipientAddressList: recipients, notificationCallbackUrl: receiver.url }));
  assert.equal(answer.body.statusCode, 2000, JSON.stringify(answer.body));
  assert.equal(answer.body.smsCount, 3);
  await waitFor(() => new Set(receiver.received.map((dlr) => dlr.json.recipientAddress)).size === 3, 10_000, 'reports for all three');
  for (const dlr of receiver.received) {
    assert.equal(dlr.verified, true, dlr.verifyError);
    assert.equal(dlr.json.transferId, answer.body.transferId);
    assert.ok(recipients.includes(dlr.json.recipientAddress));
  }
});

test('every validation code, with the field named; nothing is stored for a refused request', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  t.after(() => relay.stop());
  const many = Array.from({ length: 1001 }, (_, i) => String(436640000000 + i));
  const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['missing recipients', textRequest({ recipientAddressList: undefined }), 4019, /recipientAddressList/],
    ['one bad recipient among good ones', textRequest({ recipientAddressList: ['436641234567', '+43664', '436641234568'] }), 4002, /recipientAddressList\[1\]/],
    ['1001 recipients', textRequest({ recipientAddressList: many }), 4025, /recipient/],
    ['missing text', textRequest({ messageContent: undefined }), 4019, /messageContent/],
    ['empty text', textRequest({ messageContent: '' }), 4009, /messageContent/],
    ['bad sender', textRequest({ senderAddress: 'THIS SENDER IS TOO LONG' }), 4003, /senderAddress/],
    ['numeric type with letters', textRequest({ senderAddress: 'ACME', senderAddressType: 'international' }), 4003, /senderAddress/],
    ['unknown sender type', textRequest({ senderAddressType: 'galactic' }), 4003, /senderAddressType/],
    ['voice', textRequest({ messageType: 'voice' }), 4004, /messageType/],
    ['bad clientMessageId', textRequest({ clientMessageId: 'x'.repeat(101) }), 4008, /clientMessageId/],
    ['clientMessageId with U+FFFF (an XML report could not carry it)', textRequest({ clientMessageId: 'ref\uffff' }), 4008, /clientMessageId contains a character .*U\+FFFF at position 3/],
    ['text with U+0000', textRequest({ messageContent: 'Hi \u0000' }), 4009, /messageContent contains a character .*U\+0000 at position 3/],
    ['text with a lone surrogate', textRequest({ messageContent: 'Hi \ud800' }), 4009, /messageContent .*U\+D800/],
    ['bad priority', textRequest({ priority: 10 }), 4015, /priority/],
    ['bad notificationCallbackUrl', textRequest({ notificationCallbackUrl: 'ftp://example.com/x' }), 4016, /notificationCallbackUrl/],
    ['maxSmsPerMessage exceeded', textRequest({ messageContent: 'a'.repeat(161), maxSmsPerMessage: 1 }), 4026, /maxSmsPerMessage/],
    ['contentCategory', textRequest({ contentCategory: 'spam' }), 4040, /contentCategory/],
    ['validity too short', textRequest({ validityPeriode: 59 }), 4041, /validityPeriode/],
    ['validity too long', textRequest({ validityPeriode: 259_201 }), 4041, /validityPeriode/],
  ];
  for (const [name, body, code, field] of cases) {
    const answer = await sendText(relay, body);
    assert.equal(answer.status, 200, name);
    assert.equal(answer.body.statusCode, code, `${name}: ${JSON.stringify(answer.body)}`);
    assert.match(answer.body.statusMessage, field, name);
    assert.equal(answer.body.transferId, undefined, name);
  }
  const malformed = await sendText(relay, '{"recipientAddressList": [' as never);
  assert.equal(malformed.body.statusCode, 4000);
  // A content type the API does not read is a websms answer too, not the REST API's 415 problem.
  for (const contentType of ['text/plain', 'multipart/form-data; boundary=x', 'a b']) {
    const response = await fetch(`${relay.baseUrl}/rest/smsmessaging/text`, {
      method: 'POST',
      headers: { authorization: relay.auth, 'content-type': contentType },
      body: JSON.stringify(textRequest()),
    });
    assert.equal(response.status, 200, contentType);
    assert.equal(response.headers.get('content-type'), 'application/json;charset=UTF-8', contentType);
    const answer = (await response.json()) as { statusCode: number; statusMessage: string };
    assert.equal(answer.statusCode, 4000, contentType);
    assert.match(answer.statusMessage, /^malformed request: /, contentType);
  }
  assert.deepEqual(await relay.relay.store.listOpen(10), [], 'nothing stored');

  // The same request, valid, is stored: the check above can fail.
  assert.equal((await sendText(relay, textRequest())).body.statusCode, 2000);
  assert.equal((await relay.relay.store.listOpen(10)).length, 1);
});

test('test: true validates and answers without sending or storing anything', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  t.after(() => relay.stop());
  const answer = await sendText(relay, textRequest({ test: true, recipientAddressList: ['436641234567', '436641234568'], clientMessageId: 't' }));
  assert.equal(answer.body.statusCode, 2000);
  assert.equal(answer.body.smsCount, 2);
  assert.equal(answer.body.clientMessageId, 't');
  assert.equal(answer.body.transferId, undefined);
  assert.deepEqual(await relay.relay.store.listOpen(10), []);
  assert.equal((await sendText(relay, textRequest({ test: true, priority: 0 }))).body.statusCode, 4015, 'a test request is validated');
});

test('HTTP Basic and Bearer access tokens: created once, stored hashed, revocable; bad credentials are 401', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  t.after(() => relay.stop());
  assert.equal((await sendText(relay, textRequest())).body.statusCode, 2000, 'Basic');

  const wrong = await sendText(relay, textRequest(), 'Basic ' + Buffer.from(`${relay.credentials.api_key}:nope`).toString('base64'));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.statusCode, 4001);

  const created = await relay.api('POST', '/v1/account/tokens', { label: 'erp' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token: string = created.body.token;
  assert.ok(token.length >= 40);
  const bearer = `Bearer ${token}`;
  assert.equal((await sendText(relay, textRequest(), bearer)).body.statusCode, 2000, 'Bearer');
  assert.equal((await sendText(relay, textRequest(), `Bearer ${token}x`)).status, 401, 'a different token');

  const listed = await relay.api('GET', '/v1/account/tokens');
  assert.equal(listed.body.tokens.length, 1);
  assert.equal(listed.body.tokens[0].label, 'erp');
  assert.ok(!JSON.stringify(listed.body).includes(token), 'the token is shown only once');
  const stored = await relay.relay.store.listAccessTokens(relay.credentials.account_id);
  assert.notEqual(stored[0]!.token_hash, token);

  assert.equal((await relay.api('DELETE', `/v1/account/tokens/${created.body.id}`)).status, 204);
  const revoked = await sendText(relay, textRequest(), bearer);
  assert.equal(revoked.status, 401);
  assert.equal(revoked.body.statusCode, 4001);
  assert.equal((await relay.api('DELETE', `/v1/account/tokens/${created.body.id}`)).status, 404);
});

test('the older /json path and the simple endpoint (GET with query, form POST)', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  t.after(() => relay.stop());
  assert.equal((await websms(relay, '/json/smsmessaging/text', { body: textRequest() })).body.statusCode, 2000);

  const query = new URLSearchParams({ recipientAddressList: '436641234567,436641234568', messageContent: 'Hi', senderAddress: 'ACME', maxSmsPerMessage: '1' });
  const viaGet = await websms(relay, `/rest/smsmessaging/simple?${query}`, { method: 'GET' });
  assert.equal(viaGet.body.statusCode, 2000, JSON.stringify(viaGet.body));
  assert.equal(viaGet.body.smsCount, 2);

  const viaForm = await websms(relay, '/rest/smsmessaging/simple', {
    form: true,
    body: { recipientAddressList: '436641234569', messageContent: 'Hi', senderAddress: 'ACME', test: 'true' },
  });
  assert.equal(viaForm.body.statusCode, 2000, JSON.stringify(viaForm.body));
  assert.equal(viaForm.body.transferId, undefined, 'test=true sent nothing');

  const bad = await websms(relay, `/rest/smsmessaging/simple?${new URLSearchParams({ recipientAddressList: '436641234567', messageContent: 'Hi', senderAddress: 'ACME', validityPeriode: 'soon' })}`, { method: 'GET' });
  assert.equal(bad.body.statusCode, 4041);
  assert.equal((await relay.relay.store.listOpen(10)).length, 3);
});

// ---- how receivers acknowledge ----

for (const [name, reply] of [
  ['{"statusCode":2000,"statusMessage":"OK"}', '{"statusCode":2000,"statusMessage":"OK"}'],
  ['{"StatusCode":2000}', '{"StatusCode":2000,"StatusMessage":"ok"}'],
  ['an empty 200', ''],
] as const) {
  test(`a receiver answering ${name} acknowledges on the first attempt`, async (t) => {
    const relay = await startRelay(SILENT_SIMULATOR);
    const receiver = await websmsReceiver(relay.credentials.signature_secret, () => ({ body: reply }));
    t.after(async () => {
      await relay.stop();
      await receiver.close();
    });
    const answer = await sendText(relay, textRequest({ notificationCallbackUrl: receiver.url }));
    const uuid = (await history(relay, answer.body.transferId)).body.message_uuid;
    await report(relay, uuid, 'submitted');
    await waitFor(async () => (await callbacksOf(relay, uuid))[0]?.state === 'delivered', 5_000, 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 1, 'not retried');
    assert.equal((await callbacksOf(relay, uuid))[0].attempts, 1);
  });
}

test('a 2xx with statusCode 4000 is retried on the schedule and the code is kept with the attempt', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  const receiver = await websmsReceiver(relay.credentials.signature_secret, (i) => ({
    body: i < 2 ? '{"statusCode":4000,"statusMessage":"try later"}' : '{"statusCode":2000,"statusMessage":"OK"}',
  }));
  t.after(async () => {
    await relay.stop();
    await receiver.close();
  });
  const answer = await sendText(relay, textRequest({ notificationCallbackUrl: receiver.url }));
  const uuid = (await history(relay, answer.body.transferId)).body.message_uuid;
  await report(relay, uuid, 'submitted');
  await waitFor(async () => (await callbacksOf(relay, uuid))[0]?.state === 'delivered', 5_000, 'delivered after retries');
  const [callback] = await callbacksOf(relay, uuid);
  assert.equal(callback.attempts, 3);
  assert.deepEqual(callback.attempts_log.map((attempt: any) => attempt.outcome), ['retry', 'retry', 'delivered']);
  assert.equal(callback.attempts_log[0].status_code, 200);
  assert.match(callback.attempts_log[0].error, /statusCode 4000/);
  // The same report each time: same body, same notificationId.
  assert.equal(new Set(receiver.received.map((dlr) => dlr.body)).size, 1);
  assert.ok(receiver.received.every((dlr) => dlr.verified));
});

// ---- formats and rules ----

test('the forwarding rule picks xml (the XML report) or none; the global switch turns reports off; TTL expiry reports expired', async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  const receiver = await websmsReceiver(relay.credentials.signature_secret);
  t.after(async () => {
    await relay.stop();
    await receiver.close();
  });
  const sendOne = async () => {
    const answer = await sendText(relay, textRequest({ notificationCallbackUrl: receiver.url, clientMessageId: 'x-1' }));
    return (await history(relay, answer.body.transferId)).body.message_uuid as string;
  };

  assert.equal((await relay.api('PUT', '/v1/forwarding', { sms: { websms: { type: 'interface', format: 'xml' } } })).status, 200);
  const xmlUuid = await sendOne();
  await report(relay, xmlUuid, 'rejected', {
    error: { type: 'https://example.com/errors#1360', title: '1360', detail: 'TTL expired', instance: 'i-1' },
  });
  await waitFor(() => receiver.received.length === 1, 5_000, 'the XML report');
  const xml = receiver.received[0]!;
  assert.equal(xml.verified, true, xml.verifyError);
  assert.match(xml.contentType ?? '', /^application\/xml/);
  assert.match(xml.body, /<deliveryReport>/);
  assert.match(xml.body, /<deliveryReportMessageStatus>expired<\/deliveryReportMessageStatus>/);
  assert.match(xml.body, /<recipientAddress>436641234567<\/recipientAddress>/);
  assert.match(xml.body, /<clientMessageId>x-1<\/clientMessageId>/);
  assert.doesNotMatch(xml.body, /deliveredOn/);

  await relay.api('PUT', '/v1/forwarding', { sms: { websms: { type: 'none' } } });
  await report(relay, await sendOne(), 'submitted');
  await relay.api('PUT', '/v1/forwarding', { enabled: false });
  await report(relay, await sendOne(), 'submitted');
  await relay.api('PUT', '/v1/forwarding', {});
  await report(relay, await sendOne(), 'submitted');
  await waitFor(() => receiver.received.length === 2, 5_000, 'the report once rules allow it again');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(receiver.received.length, 2, 'none and enabled:false sent nothing');
  assert.equal(receiver.received[1]!.json.deliveryReportMessageStatus, 'accepted');
});

test("without notificationCallbackUrl the report goes to the account's status_url", async (t) => {
  const relay = await startRelay(SILENT_SIMULATOR);
  const receiver = await websmsReceiver(relay.credentials.signature_secret);
  t.after(async () => {
    await relay.stop();
    await receiver.close();
  });
  await relay.api('PATCH', '/v1/account', { status_url: receiver.url });
  const answer = await sendText(relay, textRequest());
  const uuid = (await history(relay, answer.body.transferId)).body.message_uuid;
  await report(relay, uuid, 'submitted');
  await waitFor(() => receiver.received.length === 1, 5_000, 'report at status_url');
  assert.equal(receiver.received[0]!.json.messageType, 'deliveryReport');
});

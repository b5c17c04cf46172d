/** The REST API's answers to good and bad requests, over real HTTP. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { basicAuth, startRelay } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';

test('REST API: accepts, refuses with a precise reason, and stores nothing it refused', async (t) => {
  const relay = await startRelay({ SIMULATOR_TIME_SCALE: '1000', BODY_LIMIT_BYTES: '4096' });
  t.after(() => relay.stop());

  const unsettled = async () => (await relay.relay.store.listOpen(100)).length;

  await t.test('wrong credentials get 401 problem+json', async () => {
    const wrong = basicAuth({ api_key: relay.credentials.api_key, api_secret: 'nope' });
    for (const authorization of [wrong, 'Bearer abc', undefined]) {
      const response = await fetch(`${relay.baseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(textMessage()),
      });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
  });

  const cases: Array<[string, unknown, string[]]> = [
    ['a `to` that is not 7 to 15 digits', textMessage({ to: '12345' }), ['to']],
    ['an unknown channel', textMessage({ channel: 'pigeon' }), ['channel']],
    ['a client_ref over 100 characters', textMessage({ client_ref: 'x'.repeat(101) }), ['client_ref']],
    ['an image without url', textMessage({ channel: 'whatsapp', message_type: 'image', text: undefined, image: {} }), ['image.url']],
    ['an unsupported message_type for the channel', textMessage({ message_type: 'image', text: undefined, image: { url: 'https://example.com/a.png' } }), ['message_type']],
    ['a bad failover item', textMessage({ channel: 'rcs', failover: [textMessage({ to: 'abc' })] }), ['failover[0].to']],
    ['several bad fields at once', textMessage({ to: '1', webhook_url: 'ftp://x', ttl: 5 }), ['to', 'webhook_url', 'ttl']],
  ];
  for (const [name, body, fields] of cases) {
    await t.test(`422 names the field: ${name}`, async () => {
      const response = await relay.api('POST', '/v1/messages', body);
      assert.equal(response.status, 422);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.deepEqual(response.body.invalid_parameters.map((p: { name: string }) => p.name).sort(), [...fields].sort());
      for (const key of ['type', 'title', 'detail', 'instance']) assert.ok(response.body[key], `problem has ${key}`);
    });
  }

  await t.test('malformed JSON gets 400, an oversized body 413', async () => {
    assert.equal((await relay.api('POST', '/v1/messages', '{"channel": ')).status, 400);
    const big = await relay.api('POST', '/v1/messages', textMessage({ text: 'x'.repeat(5000) }));
    assert.equal(big.status, 413);
    assert.equal(big.body.status, 413);
  });

  await t.test('nothing was stored for the refused requests', async () => {
    assert.equal(await unsettled(), 0);
  });

  await t.test('a valid message is accepted with 202, failover gets a workflow', async () => {
    const plain = await relay.api('POST', '/v1/messages', textMessage());
    assert.equal(plain.status, 202);
    assert.match(plain.body.message_uuid, /^[0-9a-f-]{36}$/);
    assert.equal(plain.body.workflow_id, undefined);
    const withFailover = await relay.api('POST', '/v1/messages', textMessage({ channel: 'rcs', failover: [textMessage()] }));
    assert.equal(withFailover.status, 202);
    assert.ok(withFailover.body.workflow_id);
    const message = await relay.api('GET', `/v1/messages/${withFailover.body.message_uuid}`);
    assert.deepEqual(message.body.workflow, { workflow_id: withFailover.body.workflow_id, items_number: '1', items_total: '2' });
    assert.equal(await unsettled(), 2);
  });

  await t.test("another account's message is not found", async () => {
    const mine = await relay.api('POST', '/v1/messages', textMessage());
    const { createAccount } = await import('../src/intake/accounts.js');
    const other = await createAccount(relay.relay.store, 'other', Date.now());
    const response = await fetch(`${relay.baseUrl}/v1/messages/${mine.body.message_uuid}`, { headers: { authorization: basicAuth(other) } });
    assert.equal(response.status, 404);
  });

  await t.test('PATCH /v1/account refuses a bad status_url and unknown fields', async () => {
    const response = await relay.api('PATCH', '/v1/account', { status_url: 'not a url', colour: 'blue' });
    assert.equal(response.status, 422);
    assert.deepEqual(response.body.invalid_parameters.map((p: { name: string }) => p.name).sort(), ['colour', 'status_url']);
    assert.equal((await relay.api('GET', '/v1/account')).body.status_url, null);
  });

  await t.test('health and metrics answer', async () => {
    assert.equal((await fetch(`${relay.baseUrl}/healthz`)).status, 200);
    const metrics = await (await fetch(`${relay.baseUrl}/metrics`)).text();
    assert.match(metrics, /statusrelay_messages_accepted_total\{channel="sms",interface="api"\} \d+/);
    assert.match(metrics, /statusrelay_outbox_depth \d+/);
  });
});

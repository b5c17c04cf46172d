/** /metrics behind METRICS_TOKEN, and on its own listener with METRICS_PORT (not on the API's port). */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startRelay, type RunningRelay } from './helpers/relay.js';
import { freePort } from './helpers/process.js';

const TOKEN = 'metrics-token-0123456789';
const running: RunningRelay[] = [];
after(async () => {
  for (const relay of running) await relay.stop();
});

test('METRICS_TOKEN: /metrics needs the bearer token; anything else is a 401 problem', async () => {
  const relay = await startRelay({ METRICS_TOKEN: TOKEN });
  running.push(relay);
  for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, TOKEN]) {
    const answer = await fetch(`${relay.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
    assert.equal(answer.status, 401, String(authorization));
    assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  }
  const answer = await fetch(`${relay.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /^statusrelay_outbox_depth /m);
});

test('METRICS_PORT: /metrics is served there, on METRICS_HOST, and no longer on the API port', async () => {
  const port = await freePort();
  const relay = await startRelay({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' });
  running.push(relay);
  assert.equal((await fetch(`${relay.baseUrl}/metrics`)).status, 404);
  const answer = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /^# TYPE statusrelay_messages_accepted_total counter$/m);
  assert.equal((await fetch(`http://127.0.0.1:${port}/v1/messages`)).status, 404, 'nothing else there');
});

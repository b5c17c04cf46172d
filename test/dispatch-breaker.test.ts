/**
 * The circuit breaker per destination: the pure rule as a table, and a relay whose receiver is
 * down (a closed port on 127.0.0.1): a few probing attempts instead of one per waiting callback,
 * then everything delivered, in status order per message, once the receiver listens again.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { nextBreakerState, type BreakerState } from '../src/dispatch/breaker.js';
import type { Attempt } from '../src/store/store.js';
import { startRelay, waitFor } from './helpers/relay.js';
import { freePort } from './helpers/process.js';
import { textMessage } from './helpers/fixtures.js';

const OPTIONS = { threshold: 3, firstOpenMs: 1_000, maxOpenMs: 4_000 };

const rows: Array<[string, BreakerState | undefined, Attempt['outcome'], number, BreakerState | undefined]> = [
  ['a first failure is counted', undefined, 'retry', 0, { failures: 1 }],
  ['below the threshold: counted', { failures: 1 }, 'retry', 0, { failures: 2 }],
  ['at the threshold: open for the first interval', { failures: 2 }, 'retry', 100, { failures: 0, openUntil: 1_100, openMs: 1_000 }],
  ['a dead letter is a failure too', { failures: 2 }, 'dead', 100, { failures: 0, openUntil: 1_100, openMs: 1_000 }],
  ['attempts already in flight do not extend an open breaker', { failures: 0, openUntil: 1_100, openMs: 1_000 }, 'retry', 500, { failures: 0, openUntil: 1_100, openMs: 1_000 }],
  ['half open: one failed probe reopens it, for twice as long', { failures: 0, openUntil: 1_100, openMs: 1_000 }, 'retry', 1_200, { failures: 0, openUntil: 3_200, openMs: 2_000 }],
  ['doubling stops at the cap', { failures: 0, openUntil: 1_100, openMs: 4_000 }, 'retry', 9_000, { failures: 0, openUntil: 13_000, openMs: 4_000 }],
  ['delivered closes it', { failures: 2, openUntil: 1_100, openMs: 4_000 }, 'delivered', 9_000, undefined],
  ['refused for good (the receiver answered) closes it', { failures: 2 }, 'failed', 9_000, undefined],
];

test('breaker: each outcome, as a table', () => {
  for (const [row, before, outcome, now, after] of rows) assert.deepEqual(nextBreakerState(before, outcome, now, OPTIONS), after, row);
  assert.equal(nextBreakerState({ failures: 9 }, 'retry', 0, { ...OPTIONS, threshold: 0 }), undefined, 'threshold 0: never');
});

test('a receiver that is down gets a few probing attempts, not one per callback; all arrive in order once it is back', async () => {
  const port = await freePort();
  const running = await startRelay({
    DESTINATION_BREAKER_FAILURES: '5',
    DESTINATION_BREAKER_MAX_MS: '1000',
    RETRY_WINDOW_MS: '120000',
    // The burst when the receiver is back should not time out on a busy machine.
    RESPONSE_TIMEOUT_MS: '2000',
  });
  const arrived: Array<{ message_uuid: string; status: string }> = [];
  const receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      arrived.push(JSON.parse(body));
      response.end();
    });
  });
  try {
    const webhook_url = `http://127.0.0.1:${port}/callbacks`;
    const uuids: string[] = [];
    for (let i = 0; i < 60; i++) uuids.push((await running.api('POST', '/v1/messages', textMessage({ webhook_url }))).body.message_uuid);
    const callbacksOf = async () => (await Promise.all(uuids.map((uuid) => running.relay.store.listCallbacks(uuid)))).flat();
    const settled = async () => (await Promise.all(uuids.map((uuid) => running.relay.store.getMessage(uuid)))).every((m) => m && ['delivered', 'rejected', 'undeliverable'].includes(m.state));
    await waitFor(settled, 10_000, 'every message settled, its callbacks owed');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const owed = await callbacksOf();
    const attempts = owed.reduce((sum, callback) => sum + callback.attempts_log.length, 0);
    // Without the breaker each callback is tried every 50–200 ms: well over a thousand attempts.
    // With it: the first burst until it opens (what was in flight), then one probe a second.
    assert.ok(attempts < owed.length, `${attempts} attempts for ${owed.length} callbacks in 2.5 s`);
    const opened = (await running.relay.api.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(opened, /statusrelay_destination_breaker_opened_total\{destination="url"\} [1-9]/);

    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
    await waitFor(async () => (await callbacksOf()).every((callback) => callback.state === 'delivered'), 20_000, 'every callback delivered once the receiver is back');
    for (const uuid of uuids) {
      // A callback whose answer timed out is sent again (same webhook-id): order of first arrival.
      const statuses = [...new Set(arrived.filter((callback) => callback.message_uuid === uuid).map((callback) => callback.status))];
      const expected = owed.filter((callback) => callback.message_uuid === uuid).sort((a, b) => a.event_seq - b.event_seq).map((callback) => callback.status);
      assert.deepEqual(statuses, expected, `status order of ${uuid}`);
    }
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await running.stop();
  }
});

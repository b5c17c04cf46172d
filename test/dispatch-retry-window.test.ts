/**
 * The callback retry window on a fake clock: a real HTTP receiver on 127.0.0.1 answers every
 * attempt 503, and the dispatcher (real store, real HTTP sender, real recorder handing it the
 * callback) runs on the fake clock's time, timers and seeded random. The README's schedule:
 * the first attempt at once, retries after 5 s doubling to every 15 min, each ±20 %, for 24 h,
 * then the callback is dead-lettered. The test advances the clock to each due time, so a day
 * passes in seconds.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/open.js';
import { createMetrics } from '../src/ops/metrics.js';
import { createHttpSender } from '../src/dispatch/senders/http.js';
import { createDispatcher } from '../src/dispatch/loop.js';
import { routeStatusChange } from '../src/routing/route.js';
import { renderBody } from '../src/dispatch/formats.js';
import { createStatusRecorder } from '../src/lifecycle/recorder.js';
import { createAccount } from '../src/intake/accounts.js';
import { seededRandom } from '../src/model/clock.js';
import { closeAfterAll } from './helpers/cleanup.js';
import { loopbackPolicy, startReceiver, tempDatabaseUrl, waitFor } from './helpers/relay.js';
import { storedMessage } from './helpers/fixtures.js';
import { createFakeClock } from './helpers/fake-clock.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const SEED = 42;
const open = closeAfterAll();

/** The documented interval before retry n (1 = the first retry), before jitter. */
const interval = (n: number) => Math.min(5 * SECOND * 2 ** (n - 1), 15 * MINUTE);

test('a callback answered 503 is retried on the documented schedule and dead-lettered after 24 h', async () => {
  const clock = createFakeClock({ seed: SEED });
  const receiver = await startReceiver({ answer: () => 503 });
  // A long poll: while nothing is due the dispatcher sleeps on a timer a minute away, so the only
  // timer due within a second is the one that writes a finished attempt's outcome.
  const config = loadConfig({ DATABASE_URL: tempDatabaseUrl(), DISPATCH_POLL_MS: String(MINUTE) });
  const store = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  await store.migrate();
  const metrics = createMetrics(() => store.outboxDepth());
  const { connectTimeoutMs, responseTimeoutMs } = config.dispatch;
  const sender = createHttpSender({ connectTimeoutMs, responseTimeoutMs, connectionsPerOrigin: 1, issuer: config.jwtIssuer, addressPolicy: loopbackPolicy() });
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  const dispatcher = createDispatcher({ store, senders: { url: sender }, config: config.dispatch, metrics, clock, onError });
  const recorder = createStatusRecorder({
    store, now: clock.now, newId: randomUUID, errorTypeBase: config.errorTypeBase, metrics,
    planning: { route: routeStatusChange, render: renderBody },
    // New callbacks are written due, so the first attempt comes through a claim like every retry.
    onCommitted: () => dispatcher.wake(),
  });
  open.push(() => receiver.close(), () => store.close(), () => sender.close(), () => dispatcher.stop());
  dispatcher.start();

  const account = await createAccount(store, 'retry window', clock.now());
  const createdAt = clock.now();
  const message = storedMessage({ uuid: randomUUID(), account_id: account.account_id, webhook_url: receiver.url, created_at: createdAt, updated_at: createdAt });
  await store.insertMessages([message]);
  await recorder.record({ message_uuid: message.uuid, status: 'delivered', occurred_at: createdAt, source: 'test' });

  const callback = async () => (await store.listCallbacks(message.uuid))[0];
  for (let n = 1; ; n++) {
    // Attempt n runs now; once it has finished, its outcome is written on the next clock tick.
    await waitFor(() => (clock.nextTimerIn() ?? Infinity) < SECOND, 5_000, `attempt ${n} to finish`);
    clock.advance(clock.nextTimerIn()!);
    await waitFor(async () => (await callback()).attempts_log.length === n, 5_000, `attempt ${n} to be recorded`);
    const current = await callback();
    if (current.state !== 'pending') break;
    clock.advance(current.due_at! - clock.now());
    dispatcher.wake();
  }

  const done = await callback();
  assert.equal(done.state, 'dead');
  const log = [...done.attempts_log].sort((a, b) => a.number - b.number);
  assert.equal(receiver.received.length, log.length, 'one request per recorded attempt');
  assert.equal(log[0].started_at, createdAt, 'the first attempt goes out at once');
  // The dispatcher draws one number per attempt from the clock; the same seed gives the same numbers.
  const draws = seededRandom(SEED);
  log.forEach((attempt, i) => {
    const n = i + 1;
    assert.equal(attempt.number, n);
    assert.equal(attempt.status_code, 503);
    assert.ok(attempt.started_at <= createdAt + DAY, `attempt ${n} within the window`);
    const wait = Math.round(interval(n) * (1 + 0.2 * (2 * draws() - 1)));
    if (i < log.length - 1) {
      assert.equal(attempt.outcome, 'retry', `attempt ${n}`);
      const gap = log[i + 1].started_at - attempt.started_at;
      assert.ok(gap >= 0.8 * interval(n) && gap <= 1.2 * interval(n), `gap after attempt ${n}: ${gap} ms`);
      assert.equal(gap, wait, `gap after attempt ${n}`);
    } else {
      assert.equal(attempt.outcome, 'dead', 'the last attempt dead-letters the callback');
      assert.ok(attempt.started_at + wait > createdAt + DAY, 'its retry would have fallen past 24 h');
    }
  });
  assert.ok(log.length > 90, `${log.length} attempts: about an hour of doubling, then every 15 min`);

  // Dead-lettered: another day brings no attempt.
  clock.advance(DAY);
  dispatcher.wake();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(receiver.received.length, log.length);
  assert.deepEqual(errors, []);
});

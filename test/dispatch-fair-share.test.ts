/**
 * Fair share between accounts: one account floods many destinations that accept connections and
 * never answer; another account's time to its first callback stays under twice its baseline.
 * Without the share the flood holds every MAX_IN_FLIGHT slot until RESPONSE_TIMEOUT_MS.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { listenSilently } from './helpers/http.js';
import { test } from 'node:test';
import { createAccount } from '../src/intake/accounts.js';
import { createAccountShare } from '../src/dispatch/account-share.js';
import { basicAuth, startReceiver, startRelay, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';

/** A callback URL on a host that accepts and never answers. */
async function silentHost() {
  const listener = await listenSilently();
  return { ...listener, url: `http://127.0.0.1:${listener.port}/never` };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

test('account share: beyond its share an account takes slots only while more than the share stay free', () => {
  const share = createAccountShare(2);
  share.take('a', 1);
  assert.equal(share.blocked('a', 2), false, 'below its share: always');
  share.take('a', 1);
  assert.equal(share.blocked('a', 3), false, 'over its share, 3 free > 2');
  assert.equal(share.blocked('a', 2), true, 'over its share, only the reserve is free');
  assert.equal(share.blocked('b', 1), false, 'another account below its share gets the reserve');
  share.park('a', 'url:http://x');
  assert.deepEqual(share.excludedKeys(2), ['url:http://x']);
  assert.equal(share.release('a', 1, 2), true, 'below its share again: claim for it');
  assert.deepEqual(share.excludedKeys(2), []);
  share.take('a', 1);
  share.take('a', 1);
  share.park('a', 'url:http://y');
  assert.equal(share.release('a', 1, 2), false, 'still at its share and only the reserve free');
  assert.equal(share.release('a', 1, 3), true, 'the process has room beyond the reserve');
});

test('account share: a parked account is claimed for again once it is no longer blocked, even if none of its callbacks finished', () => {
  const share = createAccountShare(2);
  share.take('a', 1);
  share.take('a', 1);
  share.park('a', 'url:http://x');
  assert.deepEqual(share.excludedKeys(2), ['url:http://x'], 'at its share with only the reserve free');
  // Another account's callbacks finished: the process has room beyond the reserve, while all of
  // a's callbacks still hang (no release of its own would ever unpark it).
  assert.deepEqual(share.excludedKeys(3), []);
  assert.deepEqual(share.excludedKeys(2), [], 'unparked, not parked again by the check');
});

test('account share: callbacks to a batched destination take a fraction of a slot each', () => {
  const share = createAccountShare(2);
  for (let i = 0; i < 1_999; i++) share.take('a', 1 / 1_000);
  assert.equal(share.blocked('a', 2), false, '1,999 batched callbacks are under two slots');
  share.take('a', 1 / 1_000);
  assert.equal(share.blocked('a', 2), true, '2,000 fill two slots');
  share.park('a', 'url:http://x#batch=1000');
  for (let i = 0; i < 2_000; i++) share.release('a', 1 / 1_000, 2);
  assert.equal(share.blocked('a', 2), false, 'nothing left held once all finished (no rounding dust)');
  assert.deepEqual(share.excludedKeys(2), []);
});

test("one account's silent destinations do not delay another account's callbacks", { timeout: 60_000 }, async () => {
  const hosts = await Promise.all(Array.from({ length: 12 }, () => silentHost()));
  const receiver = await startReceiver();
  // 12 silent hosts × 8 slots = 96 > MAX_IN_FLIGHT 64: without a fair share they take every slot;
  // with it (share 16) the flood holds at most 64 − 16 = 48.
  const running = await startRelay({
    MAX_IN_FLIGHT: '64',
    DESTINATION_CONCURRENCY: '8',
    CONNECT_TIMEOUT_MS: '2000',
    RESPONSE_TIMEOUT_MS: '8000',
    LEASE_MS: '30000',
  });
  try {
    const quiet = await createAccount(running.relay.store, 'quiet account', Date.now());
    const quietAuth = basicAuth(quiet);
    const firstCallback = async (): Promise<number> => {
      const started = Date.now();
      const answer = await fetch(`${running.baseUrl}/v1/messages`, {
        method: 'POST',
        headers: { authorization: quietAuth, 'content-type': 'application/json' },
        body: JSON.stringify(textMessage({ webhook_url: receiver.url })),
      });
      assert.equal(answer.status, 202);
      const { message_uuid: uuid } = (await answer.json()) as { message_uuid: string };
      await waitFor(() => receiver.received.some((r) => r.json?.message_uuid === uuid), 20_000, 'the first callback');
      return Date.now() - started;
    };

    const baseline: number[] = [];
    for (let i = 0; i < 9; i++) baseline.push(await firstCallback());

    // The flood: 240 messages of the test account, spread over the silent hosts.
    for (let i = 0; i < 240; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => running.api('POST', '/v1/messages', textMessage({ webhook_url: hosts[(i + j) % hosts.length]!.url }))),
      );
    }
    // Wait until the flood holds its slots: connections open and hanging.
    await waitFor(() => hosts.reduce((n, h) => n + h.sockets.size, 0) >= 48, 10_000, 'the flood to hang');

    const during: number[] = [];
    for (let i = 0; i < 9; i++) during.push(await firstCallback());
    const hanging = hosts.reduce((n, h) => n + h.sockets.size, 0);
    const [before, flooded] = [median(baseline), median(during)];
    console.log(JSON.stringify({ baseline_median_ms: before, during_flood_median_ms: flooded, flood_connections: hanging }));
    // A floor of 50 ms keeps a very fast baseline from making scheduler noise a failure.
    assert.ok(flooded < 2 * Math.max(before, 50), `median ${flooded} ms during the flood vs ${before} ms before`);
    assert.equal(hanging, 48, 'the flood holds MAX_IN_FLIGHT − share, no more');
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await running.stop();
    await receiver.close();
  }
});

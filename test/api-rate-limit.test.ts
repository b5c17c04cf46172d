/**
 * Per-account request rates on the REST API: a token bucket per account (API_RATE_LIMIT, an
 * account's own api_rate_limit wins), bursts of twice the rate, then 429 problem+json with
 * Retry-After; another account is not slowed by it. The clock is the relay's fake clock.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basicAuth, startRelay, tempDatabaseUrl, type RunningRelay } from './helpers/relay.js';
import { openStore } from '../src/store/open.js';
import { createFakeClock } from './helpers/fake-clock.js';
import { createAccount } from '../src/intake/accounts.js';
import { TokenBuckets } from '../src/intake/rate-limit.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const running: RunningRelay[] = [];
after(async () => {
  for (const relay of running) await relay.stop();
});

test('token buckets: burst, refill at the rate, and the wait until the next token', () => {
  let now = 0;
  const buckets = new TokenBuckets(() => now);
  const takes = (n: number) => Array.from({ length: n }, () => buckets.take('a', 10, 20));
  assert.deepEqual(takes(20), Array(20).fill(0), 'a full bucket: 20 at once');
  assert.equal(buckets.take('a', 10, 20), 100, 'empty: the next token in 100 ms');
  assert.equal(buckets.take('b', 10, 20), 0, 'another key has its own bucket');
  now += 250;
  assert.deepEqual(takes(3), [0, 0, 50], 'two tokens refilled in 250 ms; the third half way');
  now += 10_000;
  assert.equal(takes(21).filter((wait) => wait === 0).length, 20, 'refill stops at the burst');
});

test('the API answers 429 with Retry-After above the account\'s rate; the account\'s own limit wins; others are not slowed', async () => {
  const clock = createFakeClock({ start: 1_800_000_000_000 });
  const relay = await startRelay({ API_RATE_LIMIT: '5' }, { clock });
  running.push(relay);
  const get = (auth = relay.auth) => fetch(`${relay.baseUrl}/v1/account`, { headers: { authorization: auth } });

  const burst = await Promise.all(Array.from({ length: 10 }, () => get()));
  assert.deepEqual(burst.map((answer) => answer.status), Array(10).fill(200), 'bursts of twice the rate pass');
  const over = await get();
  assert.equal(over.status, 429);
  assert.equal(over.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal(over.headers.get('retry-after'), '1');
  assert.match((await over.json()).detail, /5 requests per second/);

  const other = await createAccount(relay.relay.store, 'other', clock.now());
  assert.equal((await get(basicAuth(other))).status, 200, 'another account has its own bucket');

  clock.advance(200);
  assert.equal((await get()).status, 200, 'a token refilled after 1/5 s');
  assert.equal((await get()).status, 429);

  await relay.relay.store.updateAccount(relay.credentials.account_id, { api_rate_limit: 1000 });
  clock.advance(1000);
  const many = await Promise.all(Array.from({ length: 50 }, () => get()));
  assert.ok(many.every((answer) => answer.status === 200), 'the account\'s own api_rate_limit wins');
});

test('statusrelay account limits sets and clears an account\'s api_rate_limit; bad values are refused', async () => {
  const databaseUrl = tempDatabaseUrl();
  const store = await openStore(databaseUrl);
  await store.migrate();
  const { account_id } = await createAccount(store, 'limited', Date.now());
  await store.close();
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'account', 'limits', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  const limitOf = async () => {
    const reader = await openStore(databaseUrl);
    try {
      return (await reader.getAccount(account_id))?.api_rate_limit;
    } finally {
      await reader.close();
    }
  };

  const set = cli('--account', account_id, '--api-rate', '25');
  assert.equal(set.status, 0, set.stderr);
  assert.deepEqual(JSON.parse(set.stdout), { account_id, api_rate_limit: 25 });
  assert.equal(await limitOf(), 25);
  assert.equal(cli('--account', account_id, '--api-rate', 'default').status, 0);
  assert.equal(await limitOf(), undefined);
  for (const bad of ['0', '2.5', 'fast']) assert.equal(cli('--account', account_id, '--api-rate', bad).status, 2, bad);
  assert.equal(cli('--account', 'no-such-account', '--api-rate', '5').status, 1);
});

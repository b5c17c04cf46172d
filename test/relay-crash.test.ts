/**
 * kill -9 in the middle of 1,000 messages: after a restart on the same database every callback
 * the simulator's plan implies arrives; duplicates are allowed and carry the same webhook-id.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { basicAuth, startReceiver, tempDatabaseUrl, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { createAccountCli, startServerProcess } from './helpers/process.js';
import { expectedStatuses } from './helpers/expected.js';
import { STATE_RANK, type Channel } from '../src/model/vocabulary.js';

const MESSAGES = 1_000;
const CHANNELS = ['sms', 'whatsapp', 'viber_service', 'rcs'] as const;
const ENV = { SIMULATOR_TIME_SCALE: '0.02', SIMULATOR_SEED: '7', RETRY_BASE_MS: '100', RETRY_CAP_MS: '500', RETRY_WINDOW_MS: '600000' };

test('a crash loses no callback', { timeout: 120_000 }, async (t) => {
  const databaseUrl = tempDatabaseUrl();
  const credentials = createAccountCli(databaseUrl);
  const receiver = await startReceiver({ secret: credentials.signature_secret });
  t.after(() => receiver.close());

  let server = await startServerProcess({ DATABASE_URL: databaseUrl, ...ENV });
  t.after(() => server.child.kill('SIGKILL'));

  const sent = new Map<string, { channel: Channel; text: string }>();
  const auth = basicAuth(credentials);
  const sendBatch = (from: number, count: number) =>
    Promise.all(
      Array.from({ length: count }, async (_, j) => {
        const i = from + j;
        const channel = CHANNELS[i % CHANNELS.length];
        const text = i % 10 === 0 ? 'long '.repeat(40) : `message ${i}`;
        const body = textMessage({ channel, text, webhook_url: receiver.url, ...(channel === 'sms' ? {} : { from: 'ACME' }) });
        const response = await fetch(`${server.baseUrl}/v1/messages`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(response.status, 202);
        sent.set(((await response.json()) as { message_uuid: string }).message_uuid, { channel, text });
      }),
    );

  // The first half, then kill -9 while its callbacks are being recorded and sent.
  for (let i = 0; i < MESSAGES / 2; i += 50) await sendBatch(i, 50);
  await waitFor(() => receiver.received.length >= 300, 30_000, 'callbacks flowing before the crash');
  server.child.kill('SIGKILL');
  await server.exited;
  const beforeCrash = receiver.received.length;

  server = await startServerProcess({ DATABASE_URL: databaseUrl, ...ENV });
  for (let i = MESSAGES / 2; i < MESSAGES; i += 50) await sendBatch(i, 50);
  const expected = new Map([...sent].map(([uuid, message]) => [uuid, expectedStatuses(uuid, message, Number(ENV.SIMULATOR_SEED))]));
  const missing = () => {
    const got = new Map<string, Set<string>>();
    for (const callback of receiver.received) {
      const statuses = got.get(callback.json.message_uuid) ?? new Set();
      statuses.add(callback.json.status);
      got.set(callback.json.message_uuid, statuses);
    }
    return [...expected].filter(([uuid, statuses]) => statuses.some((status) => !got.get(uuid)?.has(status)));
  };
  await waitFor(() => missing().length === 0, 60_000, 'every expected callback').catch((error) => {
    const sample = missing()
      .slice(0, 3)
      .map(([uuid, statuses]) => {
        const got = receiver.received.filter((callback) => callback.json.message_uuid === uuid).map((callback) => callback.json.status);
        return `${uuid} ${sent.get(uuid)?.channel} expects ${statuses}, got ${got}`;
      });
    throw new Error(`${error.message}: ${missing().length} messages incomplete, e.g. ${sample.join('; ')}`);
  });
  t.diagnostic(`${beforeCrash} callbacks before the crash, ${receiver.received.length} in all`);

  const idsByStatus = new Map<string, Set<string>>();
  const seenRank = new Map<string, number>();
  for (const callback of receiver.received) {
    assert.equal(callback.verified, true, callback.verifyError);
    const key = `${callback.json.message_uuid}/${callback.json.status}`;
    const ids = idsByStatus.get(key) ?? new Set();
    ids.add(String(callback.headers['webhook-id']));
    idsByStatus.set(key, ids);
    // Per message, a status never arrives after a later one (a repeat of an earlier one may).
    const rank = STATE_RANK[callback.json.status as keyof typeof STATE_RANK];
    const highest = seenRank.get(callback.json.message_uuid) ?? 0;
    if (!ids.size || rank >= highest) seenRank.set(callback.json.message_uuid, Math.max(rank, highest));
    else assert.ok(idsByStatus.get(key)!.size === 1, `out of order without being a repeat: ${key}`);
  }
  for (const [key, ids] of idsByStatus) assert.equal(ids.size, 1, `one webhook-id per status change (${key})`);
  const unexpected = [...idsByStatus.keys()].filter((key) => {
    const [uuid, status] = key.split('/');
    return !expected.get(uuid)?.includes(status as never);
  });
  assert.deepEqual(unexpected, [], 'no callback the plan does not imply');
});

test('SIGTERM stops gracefully: exit code 0, and what was left is sent after the next start', { timeout: 60_000 }, async (t) => {
  const databaseUrl = tempDatabaseUrl();
  const credentials = createAccountCli(databaseUrl);
  const receiver = await startReceiver({ answer: () => 503 });
  t.after(() => receiver.close());
  let server = await startServerProcess({ DATABASE_URL: databaseUrl, ...ENV, SIMULATOR_TIME_SCALE: '0.001' });
  t.after(() => server.child.kill('SIGKILL'));
  const response = await fetch(`${server.baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { authorization: basicAuth(credentials), 'content-type': 'application/json' },
    body: JSON.stringify(textMessage({ webhook_url: receiver.url })),
  });
  assert.equal(response.status, 202);
  await waitFor(() => receiver.received.length >= 1, 10_000, 'a first (failing) attempt');

  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  const refused = await fetch(`${server.baseUrl}/healthz`).then(() => 'answered', () => 'refused');
  assert.equal(refused, 'refused', 'no longer accepting');

  // The callback was left pending (its retry is due later); the next process picks it up.
  receiver.received.length = 0;
  server = await startServerProcess({ DATABASE_URL: databaseUrl, ...ENV });
  await waitFor(() => receiver.received.length >= 1, 10_000, 'the callback retried after restart');
});

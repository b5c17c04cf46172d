/**
 * A dead SMTP relay and an SQS endpoint that never answers hold only their own dispatch slots:
 * every HTTP callback is delivered while all their attempts are still hanging. Nothing here
 * depends on how fast the machine is: the hung attempts time out only after the test.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { listenSilently } from './helpers/http.js';
import { startReceiver, startRelay, waitFor, type Receiver, type RunningRelay } from './helpers/relay.js';
import { SILENT_SIMULATOR, callbacksOf, report, sendMessage, setRules } from './helpers/forwarding.js';
import { SQS_CREDENTIALS } from './helpers/sqs.js';

const DESTINATION_CONCURRENCY = 16;

/** An SMTP relay that never greets. */
let hole: Awaited<ReturnType<typeof listenSilently>>;
let sqs: Receiver;
let running: RunningRelay;
let receiver: Receiver;

before(async () => {
  hole = await listenSilently();
  sqs = await startReceiver({ answer: () => 'hang' });
  running = await startRelay({
    ...SILENT_SIMULATOR,
    // Ten minutes: a stuck attempt stays stuck until after() cuts its connection.
    CONNECT_TIMEOUT_MS: '600000',
    RESPONSE_TIMEOUT_MS: '600000',
    LEASE_MS: '3600000',
    // 16 e-mail + 16 SQS attempts can hang at once; 64 leaves HTTP its 16 after the fair share's
    // reserve (16: one account beyond its share leaves that many free for others). Were e-mail
    // limited per recipient domain, the four domains below would hang 40 attempts and starve HTTP.
    DESTINATION_CONCURRENCY: String(DESTINATION_CONCURRENCY),
    MAX_IN_FLIGHT: '64',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(hole.port),
    SQS_ENDPOINT: new URL(sqs.url).origin,
    SQS_ACCESS_KEY_ID: SQS_CREDENTIALS.accessKeyId,
    SQS_SECRET_ACCESS_KEY: SQS_CREDENTIALS.secretAccessKey,
  });
  receiver = await startReceiver();
});

after(async () => {
  // Cutting the hung connections lets the stuck attempts fail, so the relay can stop.
  await Promise.all([hole.close(), sqs.close()]);
  await running.stop();
  await receiver.close();
});

/** Messages in the hung SQS requests: one per SendMessage, one per entry of a SendMessageBatch. */
const sqsAttemptsHanging = () => sqs.received.reduce((sum, request) => sum + (request.json.Entries?.length ?? 1), 0);

it('every HTTP callback is delivered while e-mail and SQS attempts hang, each in its own slots', async () => {
  const stuckMail: string[] = [];
  for (const domain of ['a.example', 'b.example', 'c.example', 'd.example']) {
    await setRules(running, { ott: { statuses: ['delivered'], api: { type: 'email', address: `ops@${domain}`, format: 'json' } } });
    const uuids = await Promise.all(Array.from({ length: 10 }, () => sendMessage(running, { channel: 'whatsapp' })));
    await Promise.all(uuids.map((uuid) => report(running, uuid, ['delivered'])));
    stuckMail.push(...uuids);
  }
  await setRules(running, { ott: { statuses: ['delivered'], api: { type: 'sqs', queue_url: `${new URL(sqs.url).origin}/000000000000/q`, format: 'json' } } });
  const stuckQueue = await Promise.all(Array.from({ length: 40 }, () => sendMessage(running, { channel: 'whatsapp' })));
  await Promise.all(stuckQueue.map((uuid) => report(running, uuid, ['delivered'])));
  await waitFor(() => sqsAttemptsHanging() === DESTINATION_CONCURRENCY, 10_000, 'the SQS destination at its concurrency');

  const http = await Promise.all(Array.from({ length: 50 }, () => sendMessage(running, { webhook_url: receiver.url })));
  await Promise.all(http.map((uuid) => report(running, uuid, ['submitted'])));
  // Were HTTP waiting behind the hung attempts, this would wait the ten minutes above.
  await waitFor(() => receiver.received.length === 50, 30_000, 'all HTTP callbacks');

  // Meanwhile no e-mail or SQS attempt has ended, and neither destination holds more than its slots.
  assert.equal(sqsAttemptsHanging(), DESTINATION_CONCURRENCY, 'SQS attempts in flight');
  for (const [what, uuids] of [['e-mail', stuckMail], ['SQS', stuckQueue]] as const) {
    const callbacks = await Promise.all(uuids.map(async (uuid) => (await callbacksOf(running, uuid, (list) => list.length === 1))[0]));
    assert.deepEqual(callbacks.filter((c) => !['pending', 'inflight'].includes(c.state) || c.attempts_log.length > 0), [], `${what}: none finished`);
    const held = callbacks.filter((c) => c.state === 'inflight').length;
    assert.ok(held > 0 && held <= DESTINATION_CONCURRENCY, `${what}: ${held} callbacks held`);
  }
});

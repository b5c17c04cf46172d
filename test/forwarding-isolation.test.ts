/**
 * A dead SMTP relay and an unreachable SQS endpoint hold only their own dispatch slots: HTTP
 * callbacks keep flowing at full speed beside them.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { startReceiver, startRelay, waitFor, type Receiver, type RunningRelay } from './helpers/relay.js';
import { SILENT_SIMULATOR, report, sendMessage, setRules } from './helpers/forwarding.js';
import { SQS_CREDENTIALS } from './helpers/sqs.js';

/** Accepts connections and never says a word: an SMTP relay that never greets, an endpoint that never answers. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let hole: Awaited<ReturnType<typeof blackHole>>;
let running: RunningRelay;
let receiver: Receiver;

before(async () => {
  hole = await blackHole();
  running = await startRelay({
    ...SILENT_SIMULATOR,
    // Long enough that a stuck attempt is still stuck when the HTTP callbacks are checked.
    CONNECT_TIMEOUT_MS: '10000',
    RESPONSE_TIMEOUT_MS: '10000',
    LEASE_MS: '60000',
    // 16 e-mail + 16 SQS attempts can hang at once; 64 leaves HTTP its 16 after the fair share's
    // reserve (16: one account beyond its share leaves that many free for others). Were e-mail
    // limited per recipient domain, the four domains below would hang 40 attempts and starve HTTP.
    DESTINATION_CONCURRENCY: '16',
    MAX_IN_FLIGHT: '64',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(hole.port),
    SQS_ENDPOINT: `http://127.0.0.1:${hole.port}`,
    SQS_ACCESS_KEY_ID: SQS_CREDENTIALS.accessKeyId,
    SQS_SECRET_ACCESS_KEY: SQS_CREDENTIALS.secretAccessKey,
  });
  receiver = await startReceiver();
});

after(async () => {
  await hole.close(); // lets the stuck attempts fail so the relay can stop
  await running.stop();
  await receiver.close();
});

it('HTTP callbacks arrive while e-mail and SQS attempts hang', async () => {
  const stuckMail: string[] = [];
  for (const domain of ['a.example', 'b.example', 'c.example', 'd.example']) {
    await setRules(running, { ott: { statuses: ['delivered'], api: { type: 'email', address: `ops@${domain}`, format: 'json' } } });
    const uuids = await Promise.all(Array.from({ length: 10 }, () => sendMessage(running, { channel: 'whatsapp' })));
    await Promise.all(uuids.map((uuid) => report(running, uuid, ['delivered'])));
    stuckMail.push(...uuids);
  }
  await setRules(running, { ott: { statuses: ['delivered'], api: { type: 'sqs', queue_url: `http://127.0.0.1:${hole.port}/000000000000/q`, format: 'json' } } });
  const stuckQueue = await Promise.all(Array.from({ length: 40 }, () => sendMessage(running, { channel: 'whatsapp' })));
  await Promise.all(stuckQueue.map((uuid) => report(running, uuid, ['delivered'])));

  const started = Date.now();
  const http = await Promise.all(Array.from({ length: 50 }, () => sendMessage(running, { webhook_url: receiver.url })));
  await Promise.all(http.map((uuid) => report(running, uuid, ['submitted'])));
  await waitFor(() => receiver.received.length === 50, 5_000, 'all HTTP callbacks');
  assert.ok(Date.now() - started < 3_000, `HTTP callbacks took ${Date.now() - started} ms`);

  // The hung destinations are still hung: nothing of theirs has finished.
  const mail = await running.api('GET', `/v1/messages/${stuckMail[0]}/callbacks`);
  assert.equal(mail.body.callbacks[0].state, 'inflight');
  const queued = await running.api('GET', `/v1/messages/${stuckQueue[0]}/callbacks`);
  assert.equal(queued.body.callbacks[0].state, 'inflight');
});

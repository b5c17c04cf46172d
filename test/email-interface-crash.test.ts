/**
 * kill -9 right after 250: every e-mail the interface answered 250 to is stored with all of its
 * messages after the crash, and no e-mail is half-stored.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { tempDatabaseUrl } from './helpers/relay.js';
import { createAccountCli, freePort, startServerProcess } from './helpers/process.js';
import { openStore } from '../src/store/open.js';

const DOMAIN = 'sms.test';
const MAILS = 40;

test('kill -9 right after 250 loses no accepted e-mail and half-stores none', { timeout: 60_000 }, async (t) => {
  const databaseUrl = tempDatabaseUrl();
  const credentials = createAccountCli(databaseUrl);
  const port = await freePort();
  const server = await startServerProcess({
    DATABASE_URL: databaseUrl,
    SIMULATOR_TIME_SCALE: '1000',
    EMAIL_INTERFACE_PORT: String(port),
    EMAIL_INTERFACE_HOST: '127.0.0.1',
    EMAIL_INTERFACE_DOMAIN: DOMAIN,
    EMAIL_INTERFACE_ALLOW_INSECURE_AUTH: 'true',
  });
  t.after(() => server.child.kill('SIGKILL'));
  await waitForPort(port);

  const client = nodemailer.createTransport({
    host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 4,
    auth: { user: credentials.api_key, pass: credentials.api_secret },
  });
  const accepted: string[] = [];
  let killed = false;
  const sends = Array.from({ length: MAILS }, async (_, i) => {
    const messageId = `<crash-${i}-${Date.now()}@customer.example>`;
    try {
      await client.sendMail({ from: 'a@customer.example', messageId, to: [`4366412345${String(i).padStart(2, '0')}@${DOMAIN}`, `4915112345${String(i).padStart(2, '0')}@whatsapp.${DOMAIN}`], text: `mail ${i}` });
      accepted.push(messageId);
      // Right after the tenth 250, while the other e-mails are on their way.
      if (accepted.length === 10 && !killed) {
        killed = true;
        server.child.kill('SIGKILL');
      }
    } catch {
      // in flight when the process died
    }
  });
  await Promise.all(sends);
  client.close();
  await server.exited;
  assert.ok(accepted.length >= 10, `${accepted.length} accepted before the crash`);
  assert.ok(accepted.length < MAILS, 'the crash interrupted the run');

  const store = await openStore(databaseUrl, { poolSize: 1 });
  await store.migrate();
  try {
    const stored = await store.listOpen(10_000);
    const perMail = new Map<string, number>();
    for (const message of stored) perMail.set(message.origin_message_id!, (perMail.get(message.origin_message_id!) ?? 0) + 1);
    for (const messageId of accepted) assert.equal(perMail.get(messageId), 2, `${messageId} was answered 250: both its messages are stored`);
    for (const [messageId, count] of perMail) assert.equal(count, 2, `${messageId} is not half-stored`);
  } finally {
    await store.close();
  }
});

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the e-mail interface did not listen');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

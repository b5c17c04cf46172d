/**
 * The e-mail interface: e-mails accepted per second (each to one SMS, nodemailer as the client,
 * pooled) until every message is stored, and receipts mailed per second (provider report →
 * store → RFC 3464 report → SMTP relay) until the mailbox holds them all. The client and the
 * mailbox (smtp-server, counting without parsing) run in this process on 127.0.0.1, so they
 * compete with the relay for the CPU: the numbers are a floor.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { startSmtpPeer } from '../../test/helpers/smtp.js';
import { benchConfig, round, waitUntil } from '../lib.js';

export interface EmailInterfaceScenarioOptions {
  /** E-mails sent (one SMS each), then one `delivered` receipt each. */
  mails: number;
  dataDir: string;
  /** E-mails in flight at once (spread over the client's pooled connections). */
  window?: number;
  env?: Record<string, string>;
}

export async function runEmailInterfaceScenario(options: EmailInterfaceScenarioOptions) {
  const mailbox = await startSmtpPeer({ countOnly: true });
  const config = benchConfig(`file:${path.join(options.dataDir, 'email-interface.db')}`, {
    SIMULATOR_TIME_SCALE: '1000', // the benchmark reports the statuses itself
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mailbox.port),
    SMTP_FROM: 'bench@relay.example',
    EMAIL_INTERFACE_HOST: '127.0.0.1',
    EMAIL_INTERFACE_DOMAIN: 'sms.bench',
    EMAIL_INTERFACE_ALLOW_INSECURE_AUTH: 'true',
    EMAIL_INTERFACE_RATE_PER_MINUTE: String(options.mails * 10),
    ...options.env,
  });
  const relay = await createRelay(config, { emailInterfaceOnPortZero: true });
  await relay.start();
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: relay.emailAddress()!.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 8, maxMessages: Infinity });
  try {
    const account = await createAccount(relay.store, 'bench', Date.now());
    const auth = { user: account.api_key, pass: account.api_secret };
    const authed = nodemailer.createTransport({ host: '127.0.0.1', port: relay.emailAddress()!.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 8, maxMessages: Infinity, auth });
    client.close();
    const window = options.window ?? 64;
    const send = (i: number) =>
      authed.sendMail({ from: 'ops@customer.example', to: `43664${String(1_000_000 + i)}@sms.bench`, text: `Bench message ${i}`, headers: { 'Return-Receipt-To': 'ops@customer.example' } });
    // Warm-up: connections, JIT.
    await Promise.all(Array.from({ length: 50 }, (_, i) => send(i)));

    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < options.mails) await send(1_000 + next++);
      }),
    );
    const acceptSeconds = (performance.now() - started) / 1000;
    authed.close();

    // Receipts: every message reports delivered; timed until the mailbox holds every report.
    const open = await relay.store.listOpen(options.mails + 100);
    const uuids = open.map((m) => m.uuid);
    const before = mailbox.count();
    const receiptsStarted = performance.now();
    let index = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (index < uuids.length) {
          const uuid = uuids[index++]!;
          await relay.recorder.record({ message_uuid: uuid, status: 'submitted', occurred_at: Date.now(), source: 'bench' });
          await relay.recorder.record({ message_uuid: uuid, status: 'delivered', occurred_at: Date.now(), source: 'bench' });
        }
      }),
    );
    const all = await waitUntil(async () => mailbox.count() - before >= uuids.length, 300_000);
    const receiptSeconds = (performance.now() - receiptsStarted) / 1000;
    return {
      mails: options.mails,
      mails_accepted_per_second: round(options.mails / acceptSeconds),
      receipts: uuids.length,
      all_receipts_mailed: all,
      receipts_mailed_per_second: round(uuids.length / receiptSeconds),
    };
  } finally {
    await relay.stop();
    await mailbox.close();
  }
}

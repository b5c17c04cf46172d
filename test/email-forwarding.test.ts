/**
 * E-mail forwarding end to end: a relay sends through a real SMTP peer on 127.0.0.1 that
 * requires STARTTLS (self-signed certificate made for this run) and AUTH.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startRelay, waitFor, type RunningRelay } from './helpers/relay.js';
import { selfSignedCertificate, startSmtpPeer, type ReceivedMail, type SmtpPeer } from './helpers/smtp.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, report, sendMessage, setRules } from './helpers/forwarding.js';
import { parseXmlCallback } from '../src/dispatch/formats.js';
import { createEmailSender, subjectOf } from '../src/dispatch/senders/email.js';
import { loadConfig } from '../src/config.js';
import { claimedCallback } from './helpers/fixtures.js';

const AUTH = { user: 'relay', pass: 'correct horse' };
const FROM = 'Status Relay <receipts@relay.example>';

describe('e-mail forwarding', () => {
  const tls = selfSignedCertificate();
  let peer: SmtpPeer;
  let running: RunningRelay;

  const smtpEnv = (overrides: Record<string, string> = {}) => ({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(peer.port),
    SMTP_STARTTLS: 'true',
    SMTP_USER: AUTH.user,
    SMTP_PASSWORD: AUTH.pass,
    SMTP_FROM: FROM,
    // The certificate is self-signed; the test below shows it is refused when verification is on.
    SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
    ...overrides,
  });

  before(async () => {
    peer = await startSmtpPeer({
      tls,
      auth: AUTH,
      refuse: (address, attempt) => (address.startsWith('nobody@') ? 550 : address.startsWith('greylisted@') && attempt === 0 ? 451 : undefined),
    });
    running = await startRelay({ ...SILENT_SIMULATOR, ...smtpEnv() });
  });

  after(async () => {
    await running.stop();
    await peer.close();
  });

  /** Forwards WhatsApp delivered/read from the API to `address`, sends one message, reports it delivered. */
  async function deliveredTo(address: string, format: 'json' | 'xml') {
    await setRules(running, { ott: { statuses: ['delivered', 'read'], api: { type: 'email', address, format } } });
    const uuid = await sendMessage(running, { channel: 'whatsapp', to: '4915112345678', client_ref: 'order <42> & co' });
    await report(running, uuid, ['submitted', 'delivered'], { usage: { currency: 'EUR', price: '0.0330' } });
    return uuid;
  }

  const mailFor = (callbackId: string): ReceivedMail | undefined =>
    peer.mails.find((m) => m.mail.messageId === `<${callbackId}@relay.example>`);

  it('a JSON callback arrives over STARTTLS with AUTH: scannable subject, body and attachment, signed', async () => {
    const uuid = await deliveredTo('ops@customer.example', 'json');
    const [callback] = await callbacksOf(running, uuid, allFinished(1));
    assert.equal(callback.state, 'delivered', callback.last_error);
    const received = mailFor(callback.id)!;
    assert.ok(received, 'mail with the Message-ID of the callback');
    assert.deepEqual({ to: received.to, secure: received.secure, user: received.user }, { to: ['ops@customer.example'], secure: true, user: AUTH.user });
    assert.equal(received.mail.subject, `[statusrelay] delivered · whatsapp · to 4915112345678 · message ${uuid}`);
    assert.deepEqual(received.mail.from?.value, [{ address: 'receipts@relay.example', name: 'Status Relay' }]);

    const [attachment] = received.mail.attachments;
    assert.equal(attachment.contentType, 'application/json');
    assert.equal(attachment.filename, `status-${callback.id}.json`);
    const body = attachment.content.toString('utf8');
    const payload = JSON.parse(body);
    assert.deepEqual(JSON.parse(received.mail.text!), payload);
    assert.deepEqual(
      { message_uuid: payload.message_uuid, status: payload.status, channel: payload.channel, usage: payload.usage, client_ref: payload.client_ref },
      { message_uuid: uuid, status: 'delivered', channel: 'whatsapp', usage: { currency: 'EUR', price: '0.0330' }, client_ref: 'order <42> & co' },
    );
    // The Standard Webhooks headers sign the attachment's exact bytes.
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(received.mail.headers.get(h))]));
    assert.equal(headers['webhook-id'], callback.id);
    new Webhook(running.credentials.signature_secret).verify(body, headers, { jsonParse: false } as never);
  });

  it('an XML callback arrives as application/xml and parses back to the same fields', async () => {
    const uuid = await deliveredTo('xml@customer.example', 'xml');
    const [callback] = await callbacksOf(running, uuid, allFinished(1));
    assert.equal(callback.state, 'delivered', callback.last_error);
    const received = mailFor(callback.id)!;
    const [attachment] = received.mail.attachments;
    assert.equal(attachment.contentType, 'application/xml');
    assert.equal(attachment.filename, `status-${callback.id}.xml`);
    const payload = parseXmlCallback(attachment.content.toString('utf8')) as Record<string, any>;
    assert.deepEqual(parseXmlCallback(received.mail.text!), payload);
    assert.equal(payload.message_uuid, uuid);
    assert.equal(payload.status, 'delivered');
    assert.equal(payload.usage.price, '0.0330');
    assert.equal(payload.client_ref, 'order <42> & co');
  });

  it('451 for the recipient is retried and then delivered, under the same Message-ID', async () => {
    const uuid = await deliveredTo('greylisted@customer.example', 'json');
    const [callback] = await callbacksOf(running, uuid, allFinished(1));
    assert.equal(callback.state, 'delivered', callback.last_error);
    assert.equal(callback.attempts, 2);
    assert.equal(callback.attempts_log[0].outcome, 'retry');
    assert.equal(callback.attempts_log[0].status_code, 451);
    assert.match(callback.attempts_log[0].error, /^SMTP 451: .*Greylisted/);
    assert.equal(peer.mails.filter((m) => m.to.includes('greylisted@customer.example')).length, 1);
    assert.ok(mailFor(callback.id));
  });

  it('550 for the recipient is a permanent failure, recorded with the server reply', async () => {
    const uuid = await deliveredTo('nobody@customer.example', 'json');
    const [callback] = await callbacksOf(running, uuid, allFinished(1));
    assert.equal(callback.state, 'failed');
    assert.equal(callback.attempts, 1);
    assert.match(callback.last_error, /^SMTP 550: .*Mailbox does not exist/);
    assert.equal(peer.mails.filter((m) => m.to.includes('nobody@customer.example')).length, 0);
  });

  it('the subject comes from the stored headline, never from the body', () => {
    // The body (fullPayload) says sms to 4915112345678.
    const callback = claimedCallback({ status: 'read', headline: { channel: 'viber_service', to: '447700900123' } });
    assert.equal(subjectOf(callback), `[statusrelay] read · viber_service · to 447700900123 · message ${callback.message_uuid}`);
  });

  describe('the relay settings themselves', () => {
    const sendWith = async (overrides: Record<string, string>, callback = claimedCallback({ destination: { type: 'email', address: 'ops@customer.example' } })) => {
      const config = loadConfig(smtpEnv(overrides));
      const sender = createEmailSender({ smtp: config.smtp, connectTimeoutMs: 2_000, responseTimeoutMs: 2_000, issuer: 'test' });
      try {
        return await sender.send(callback, Date.now());
      } finally {
        await sender.close();
      }
    };

    it('a callback stored without a headline is still sent, its subject showing ? for channel and recipient', async () => {
      const callback = claimedCallback({ destination: { type: 'email', address: 'ops@customer.example' } });
      assert.equal(callback.headline, undefined);
      const outcome = await sendWith({}, callback);
      assert.equal(outcome.verdict, 'delivered', outcome.error);
      assert.equal(mailFor(callback.id)?.mail.subject, `[statusrelay] delivered · ? · to ? · message ${callback.message_uuid}`);
    });

    it('wrong credentials: retried (the operator can fix them), with the 535 reply', async () => {
      const outcome = await sendWith({ SMTP_PASSWORD: 'wrong' });
      assert.equal(outcome.verdict, 'retry');
      assert.equal(outcome.statusCode, 535);
      assert.match(outcome.error!, /^SMTP 535: .*credentials invalid/);
    });

    it('the self-signed certificate is refused while verification is on', async () => {
      const outcome = await sendWith({ SMTP_TLS_REJECT_UNAUTHORIZED: 'true' });
      assert.equal(outcome.verdict, 'retry');
      assert.match(outcome.error!, /self[- ]signed/i);
    });

    it('a relay that does not answer: retried with a connection error', async () => {
      const outcome = await sendWith({ SMTP_PORT: '1' });
      assert.equal(outcome.verdict, 'retry');
      assert.match(outcome.error!, /ECONNECTION|ECONNREFUSED/);
    });
  });

  it('every mail the peer accepted came over TLS from the authenticated relay', async () => {
    await waitFor(() => peer.mails.length >= 3);
    for (const received of peer.mails) assert.deepEqual([received.secure, received.user], [true, AUTH.user]);
  });
});

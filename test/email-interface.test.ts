/**
 * The e-mail interface end to end against real peers on 127.0.0.1: nodemailer is the customer's
 * mail client sending to the interface; smtp-server + mailparser is the customer's mailbox
 * behind SMTP_HOST, where the receipts arrive as standard reports.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { startRelay, waitFor, type RunningRelay } from './helpers/relay.js';
import { selfSignedCertificate, startSmtpPeer, type ReceivedMail, type SmtpPeer } from './helpers/smtp.js';
import { SILENT_SIMULATOR, allFinished, callbacksOf, report, setRules } from './helpers/forwarding.js';
import { parseXmlCallback } from '../src/dispatch/formats.js';
import type { Message } from '../src/model/types.js';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createEmailInterface } from '../src/intake/email/server.js';
import { createAcceptManyPort } from '../src/intake/accept.js';
import { createMetrics } from '../src/ops/metrics.js';

const DOMAIN = 'sms.test';
const CUSTOMER = 'alice@customer.example';
/** Where the provider would fetch images from; the test fetches the path from the relay itself. */
const MEDIA_BASE = 'https://relay.example/';
/** The smallest valid PNG: one transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let counter = 0;
const newMessageId = () => `<mail-${process.pid}-${++counter}-${Date.now()}@customer.example>`;

describe('e-mail interface', () => {
  let mailbox: SmtpPeer;
  let running: RunningRelay;
  let client: Transporter<SMTPTransport.SentMessageInfo>;
  let port: number;

  const relayEnv = (overrides: Record<string, string> = {}) => ({
    ...SILENT_SIMULATOR,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mailbox.port),
    SMTP_FROM: 'Receipts <receipts@relay.example>',
    EMAIL_INTERFACE_HOST: '127.0.0.1',
    EMAIL_INTERFACE_DOMAIN: DOMAIN,
    EMAIL_INTERFACE_ALLOW_INSECURE_AUTH: 'true',
    PUBLIC_BASE_URL: MEDIA_BASE,
    ...overrides,
  });

  /** A pooled client (smtp-server waits 100 ms before greeting). */
  const mailClient = (port: number, auth?: { user: string; pass: string }, extra: Record<string, unknown> = {}) =>
    nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 2, ...(auth ? { auth } : {}), ...extra } as SMTPTransport.Options);

  before(async () => {
    mailbox = await startSmtpPeer();
    running = await startRelay(relayEnv(), { emailInterfaceOnPortZero: true });
    port = running.relay.emailAddress()!.port;
    client = mailClient(port, { user: running.credentials.api_key, pass: running.credentials.api_secret });
  });

  after(async () => {
    client.close();
    await running.stop();
    await mailbox.close();
  });

  /** Every stored message of that e-mail (they stay open: the simulator is silent). */
  async function messagesOf(relay: RunningRelay, messageId: string): Promise<Message[]> {
    const open = await relay.relay.store.listOpen(10_000);
    return open.filter((m) => m.origin_message_id === messageId).sort((a, b) => a.to.localeCompare(b.to));
  }

  async function send(mail: SendMailOptions, via = client) {
    const messageId = newMessageId();
    const info = await via.sendMail({ from: CUSTOMER, messageId, ...mail });
    return { info, messageId, messages: await messagesOf(running, messageId) };
  }

  const reportFor = (messageId: string, status?: string): ReceivedMail | undefined =>
    mailbox.mails.find((m) => m.mail.inReplyTo === messageId && (!status || m.mail.attachments.some((a) => a.content.toString().includes(status))));

  async function waitForReport(messageId: string, status: string): Promise<ReceivedMail> {
    await waitFor(() => reportFor(messageId, `"${status}"`) !== undefined || reportFor(messageId, `>${status}<`) !== undefined, 10_000, `${status} report for ${messageId}`);
    return (reportFor(messageId, `"${status}"`) ?? reportFor(messageId, `>${status}<`))!;
  }

  const contentType = (received: ReceivedMail) => received.mail.headers.get('content-type') as { value: string; params: Record<string, string> };
  /**
   * The report's top-level parts from the raw message: content type and body of each, in order
   * (mailparser folds message/delivery-status into the text, so the structure is read here).
   */
  function reportParts(received: ReceivedMail): Array<{ type: string; body: string }> {
    const boundary = contentType(received).params.boundary;
    const raw = received.raw.toString('utf8');
    const sections = raw.split(`--${boundary}`).slice(1, -1);
    return sections.map((section) => {
      const [head, ...rest] = section.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
      const type = /^content-type:\s*([^;\r\n]+)/im.exec(head!)![1]!.trim();
      return { type, body: rest.join('\r\n\r\n') };
    });
  }
  function part(received: ReceivedMail, type: string): { content: Buffer; filename?: string } | undefined {
    const attachment = received.mail.attachments.find((a) => a.contentType === type);
    if (attachment) return attachment;
    const found = reportParts(received).find((p) => p.type === type);
    return found && { content: Buffer.from(found.body) };
  }

  it('plain text to <number>@domain is an SMS; Return-Receipt-To asks for delivered; the API shows it', async () => {
    const { info, messages } = await send({ to: `436641234567@${DOMAIN}`, subject: 'ignored', text: 'Your table is ready.', headers: { 'Return-Receipt-To': CUSTOMER } });
    assert.match(info.response, /^250 2\.0\.0 Accepted: 1 message/);
    assert.equal(messages.length, 1);
    const [m] = messages;
    assert.deepEqual(
      { channel: m.channel, to: m.to, text: m.text, interface: m.interface, return_to: m.return_to, receipt_request: m.receipt_request },
      { channel: 'sms', to: '436641234567', text: 'Your table is ready.', interface: 'email', return_to: { type: 'email', address: CUSTOMER }, receipt_request: ['delivered'] },
    );
    const shown = await running.api('GET', `/v1/messages/${m.uuid}`);
    assert.deepEqual(shown.body.receipt_request, ['delivered']);
    assert.equal(shown.body.interface, 'email');
  });

  it('a delivered SMS is mailed back as an RFC 3464 delivery-status report threaded under the sent mail, JSON attached', async () => {
    const { messageId, messages } = await send({ to: `436641234567@${DOMAIN}`, text: 'Hello', dsn: { notify: ['success', 'failure'], recipient: CUSTOMER } });
    const [m] = messages;
    assert.deepEqual(m.receipt_request, ['delivered']);
    await report(running, m.uuid, ['submitted', 'delivered'], { usage: { currency: 'EUR', price: '0.0333' } });
    const [callback] = await callbacksOf(running, m.uuid, allFinished(1));
    assert.equal(callback.state, 'delivered', callback.last_error);
    assert.equal(callback.status, 'delivered');

    const received = await waitForReport(messageId, 'delivered');
    assert.deepEqual(received.to, [CUSTOMER]);
    assert.equal(received.from, '', 'reports go out with the null reverse-path');
    const type = contentType(received);
    assert.equal(type.value, 'multipart/report');
    assert.equal(type.params['report-type'], 'delivery-status');
    assert.deepEqual(reportParts(received).map((p) => p.type), ['text/plain', 'message/delivery-status', 'application/json']);
    assert.equal(received.mail.inReplyTo, messageId);
    assert.equal(received.mail.references, messageId);
    assert.equal(received.mail.messageId, `<${callback.id}@relay.example>`);
    assert.match(received.mail.text!, /Your SMS message to \+436641234567 was delivered\./);
    assert.match(received.mail.text!, /Ihre SMS-Nachricht an \+436641234567 wurde zugestellt\./);
    const status = part(received, 'message/delivery-status');
    assert.ok(status, 'machine-readable part');
    const fields = status.content.toString();
    assert.match(fields, /^Reporting-MTA: dns; relay\.example/m);
    assert.match(fields, new RegExp(`^Final-Recipient: rfc822; 436641234567@${DOMAIN.replace('.', '\\.')}`, 'm'));
    assert.match(fields, /^Action: delivered/m);
    assert.match(fields, /^Status: 2\.0\.0/m);
    const attachment = part(received, 'application/json')!;
    assert.equal(attachment.filename, `status-${callback.id}.json`);
    // Byte for byte the stored callback, in the account's format.
    assert.equal(attachment.content.toString(), (await running.relay.store.getCallback(callback.id))!.body);
    const payload = JSON.parse(attachment.content.toString());
    assert.deepEqual(
      { message_uuid: payload.message_uuid, status: payload.status, channel: payload.channel, to: payload.to },
      { message_uuid: m.uuid, status: 'delivered', channel: 'sms', to: '436641234567' },
    );
  });

  it('a rejected SMS nobody asked a receipt for is still mailed back as a failed delivery-status report', async () => {
    const { messageId, messages } = await send({ to: `436641234568@${DOMAIN}`, text: 'Hi' });
    const [m] = messages;
    assert.deepEqual(m.receipt_request, []);
    await report(running, m.uuid, ['rejected']);
    const received = await waitForReport(messageId, 'rejected');
    const status = part(received, 'message/delivery-status');
    assert.ok(status, JSON.stringify(received.mail.attachments.map((a) => a.contentType)));
    const fields = status.content.toString();
    assert.match(fields, /^Action: failed/m);
    assert.match(fields, /^Status: 5\./m);
    assert.match(received.mail.text!, /could not be sent/);
  });

  it('NOTIFY=NEVER: no receipt at all, not even for a failure', async () => {
    const { messages } = await send({ to: `436641234569@${DOMAIN}`, text: 'Hi', dsn: { notify: 'never', recipient: CUSTOMER } });
    const [m] = messages;
    await report(running, m.uuid, ['undeliverable']);
    const { body } = await running.api('GET', `/v1/messages/${m.uuid}/callbacks`);
    assert.deepEqual(body.callbacks, []);
  });

  it('WhatsApp: a read receipt request alone gets read (RFC 8098 report, XML attached) and no delivered', async () => {
    await setRules(running, { ott: { email: { type: 'interface', format: 'xml' } } });
    try {
      const { messageId, messages } = await send({ to: `4915112345678@whatsapp.${DOMAIN}`, text: 'Hallo 👋', headers: { 'Disposition-Notification-To': CUSTOMER } });
      const [m] = messages;
      assert.deepEqual({ channel: m.channel, receipt_request: m.receipt_request, text: m.text }, { channel: 'whatsapp', receipt_request: ['read'], text: 'Hallo 👋' });
      await report(running, m.uuid, ['submitted', 'delivered', 'read']);
      const callbacks = await callbacksOf(running, m.uuid, allFinished(1));
      assert.deepEqual(callbacks.map((c) => c.status), ['read']);
      const received = await waitForReport(messageId, 'read');
      const type = contentType(received);
      assert.equal(type.value, 'multipart/report');
      assert.equal(type.params['report-type'], 'disposition-notification');
      assert.deepEqual(reportParts(received).map((p) => p.type), ['text/plain', 'message/disposition-notification', 'application/xml']);
      assert.equal(received.mail.inReplyTo, messageId);
      const fields = part(received, 'message/disposition-notification')!.content.toString();
      assert.match(fields, /^Disposition: automatic-action\/MDN-sent-automatically; displayed/m);
      assert.match(fields, new RegExp(`^Original-Message-ID: ${messageId}`, 'm'));
      assert.match(fields, /^Final-Recipient: rfc822; 4915112345678@whatsapp\.sms\.test/m);
      const xml = part(received, 'application/xml')!;
      assert.equal(xml.content.toString(), (await running.relay.store.getCallback(callbacks[0].id))!.body);
      const payload = parseXmlCallback(xml.content.toString()) as Record<string, unknown>;
      assert.equal(payload.message_uuid, m.uuid);
      assert.equal(payload.status, 'read');
      assert.equal(payload.channel, 'whatsapp');
    } finally {
      await setRules(running, {});
    }
  });

  it('WhatsApp: a delivery notification request alone gets delivered and no read', async () => {
    const { messageId, messages } = await send({ to: `4915112345679@whatsapp.${DOMAIN}`, text: 'Hi', dsn: { notify: 'success', recipient: CUSTOMER } });
    const [m] = messages;
    assert.deepEqual(m.receipt_request, ['delivered']);
    await report(running, m.uuid, ['submitted', 'delivered', 'read']);
    const callbacks = await callbacksOf(running, m.uuid, allFinished(1));
    assert.deepEqual(callbacks.map((c) => c.status), ['delivered']);
    const received = await waitForReport(messageId, 'delivered');
    assert.equal(contentType(received).params['report-type'], 'delivery-status');
  });

  it('SMS: a read receipt request asks for the one SMS receipt (delivered)', async () => {
    const { messages } = await send({ to: `436641234570@${DOMAIN}`, text: 'Hi', headers: { 'Disposition-Notification-To': CUSTOMER } });
    await report(running, messages[0].uuid, ['submitted', 'delivered']);
    const callbacks = await callbacksOf(running, messages[0].uuid, allFinished(1));
    assert.deepEqual(callbacks.map((c) => [c.status, c.destination]), [['delivered', { type: 'email', address: CUSTOMER }]]);
  });

  it('"no forwarding" for the e-mail interface and the global switch: nothing is mailed, statuses are still recorded', async () => {
    for (const rules of [{ sms: { email: { type: 'none' } } }, { enabled: false }]) {
      await setRules(running, rules);
      try {
        const { messages } = await send({ to: `436641234571@${DOMAIN}`, text: 'Hi', headers: { 'Return-Receipt-To': CUSTOMER } });
        await report(running, messages[0].uuid, ['submitted', 'delivered']);
        const { body } = await running.api('GET', `/v1/messages/${messages[0].uuid}/callbacks`);
        assert.deepEqual(body.callbacks, [], JSON.stringify(rules));
        const shown = await running.api('GET', `/v1/messages/${messages[0].uuid}`);
        assert.equal(shown.body.status, 'delivered');
      } finally {
        await setRules(running, {});
      }
    }
  });

  it('HTML only: the text comes from the HTML part; links and blockquoted replies are not in it', async () => {
    const { messages } = await send({
      to: `436641234572@${DOMAIN}`,
      html: '<html><body><p>Your <b>order</b> ships today.</p><p>See <a href="https://x.example">tracking</a></p><blockquote>old mail</blockquote></body></html>',
    });
    assert.equal(messages[0].text, 'Your order ships today.\n\nSee tracking');
  });

  it('multipart: the text/plain part wins; the quoted reply and the signature after "-- " are cut', async () => {
    const { messages } = await send({
      to: `436641234573@${DOMAIN}`,
      subject: 'Re: pickup',
      text: 'See you at 5.\n\nOn Mon, 1 Dec 2026 at 10:00, Bob <bob@example.com> wrote:\n> When?\n> Thanks\n',
      html: '<p>HTML version that must not be used</p>',
    });
    assert.equal(messages[0].text, 'See you at 5.');
    const signed = await send({ to: `436641234573@${DOMAIN}`, text: 'Gate B12.\n> quoted line\nBoarding 9:40\n-- \nAlice Example\nACME Corp' });
    assert.equal(signed.messages[0].text, 'Gate B12.\nBoarding 9:40');
  });

  it('the subject is the text only when the body is empty', async () => {
    const { messages } = await send({ to: `436641234574@${DOMAIN}`, subject: 'Call me back ☎', text: '\n-- \nAlice' });
    assert.equal(messages[0].text, 'Call me back ☎');
  });

  it('several recipients make several messages, stored together', async () => {
    const to = [`436641234575@${DOMAIN}`, `+436641234576@${DOMAIN}`, `4915112345670@whatsapp.${DOMAIN}`];
    const { info, messages } = await send({ to, text: 'Meeting moved to 3 pm' });
    assert.match(info.response, /Accepted: 3 messages/);
    assert.deepEqual(messages.map((m) => [m.channel, m.to]), [['sms', '436641234575'], ['sms', '436641234576'], ['whatsapp', '4915112345670']]);
  });

  it('an unknown domain or a recipient that is not 7 to 15 digits is refused at RCPT TO with 550 5.1.1 and the reason', async () => {
    await assert.rejects(send({ to: `436641234577@elsewhere.example`, text: 'x' }), (error: any) => {
      assert.equal(error.responseCode, 550);
      assert.match(error.response, /5\.1\.1 unknown domain elsewhere\.example/);
      return true;
    });
    await assert.rejects(send({ to: `12345@${DOMAIN}`, text: 'x' }), (error: any) => {
      assert.match(error.response, /^550 5\.1\.1 12345 is not a phone number: 7 to 15 digits/);
      return true;
    });
    // One good recipient among bad ones: the good one is sent, the bad one reported.
    const mixed = await send({ to: [`436641234578@${DOMAIN}`, `abc@${DOMAIN}`], text: 'x' });
    assert.deepEqual(mixed.info.rejected, [`abc@${DOMAIN}`]);
    assert.equal(mixed.messages.length, 1);
  });

  it('too long for the channel: 552 5.3.4 with the limit, nothing stored', async () => {
    const messageId = newMessageId();
    await assert.rejects(client.sendMail({ from: CUSTOMER, messageId, to: `436641234579@${DOMAIN}`, text: 'x'.repeat(1001) }), (error: any) => {
      assert.equal(error.responseCode, 552);
      assert.match(error.response, /5\.3\.4 Text too long: 1001 characters, at most 1000 on sms/);
      return true;
    });
    assert.deepEqual(await messagesOf(running, messageId), []);
  });

  it('an attachment is refused with a reason', async () => {
    await assert.rejects(send({ to: `436641234580@${DOMAIN}`, text: 'see file', attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF-1.4') }] }), (error: any) => {
      assert.match(error.response, /^554 5\.6\.1 Attachments cannot be sent by SMS/);
      return true;
    });
  });

  it('WhatsApp: an image attachment becomes an image message with the text as caption, served at its URL', async () => {
    const { messages } = await send({ to: [`436641234590@whatsapp.${DOMAIN}`, `436641234591@whatsapp.${DOMAIN}`], text: 'Our new shop', attachments: [{ filename: 'shop.png', content: PNG, contentType: 'image/png' }] });
    assert.equal(messages.length, 2);
    for (const message of messages) {
      assert.equal(message.message_type, 'image');
      assert.equal(message.text, 'Our new shop');
      assert.match(message.image_url!, /^https:\/\/relay\.example\/v1\/media\/[0-9a-f]{32}$/);
    }
    assert.equal(messages[0]!.image_url, messages[1]!.image_url, 'one image for both recipients');
    const media = await fetch(`${running.baseUrl}${new URL(messages[0]!.image_url!).pathname}`);
    assert.equal(media.status, 200);
    assert.equal(media.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await media.arrayBuffer()), PNG);
    const unknown = await fetch(`${running.baseUrl}/v1/media/${'0'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  });

  it('WhatsApp: attachments that are not one JPEG or PNG image are refused with the reason, nothing stored', async () => {
    const to = `436641234592@whatsapp.${DOMAIN}`;
    const cases: Array<[SendMailOptions['attachments'], RegExp]> = [
      [[{ filename: 'a.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' }], /^554 5\.6\.1 WhatsApp sends JPEG or PNG images only: a\.pdf is application\/pdf/],
      [[{ filename: 'a.png', content: PNG, contentType: 'image/png' }, { filename: 'b.png', content: PNG, contentType: 'image/png' }], /^554 5\.6\.1 One image per e-mail: .* 2 attachments/],
      [[{ filename: 'big.png', content: Buffer.alloc(5 * 1024 * 1024 + 1), contentType: 'image/png' }], /^552 5\.3\.4 Image too big: big\.png has 5242881 bytes/],
    ];
    for (const [attachments, reason] of cases) {
      const messageId = newMessageId();
      await assert.rejects(client.sendMail({ from: CUSTOMER, messageId, to, text: 'look', attachments }), (error: any) => {
        assert.match(error.response, reason);
        return true;
      });
      assert.deepEqual(await messagesOf(running, messageId), []);
    }
  });

  it('the account\'s email_text_limit (PATCH /v1/account) caps the text: 552 5.3.4 with that limit; bad values are 422', async () => {
    const bad = await running.api('PATCH', '/v1/account', { email_text_limit: 0 });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.invalid_parameters[0].name, 'email_text_limit');
    const set = await running.api('PATCH', '/v1/account', { email_text_limit: 20 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.email_text_limit, 20);
    try {
      const messageId = newMessageId();
      await assert.rejects(client.sendMail({ from: CUSTOMER, messageId, to: `436641234593@${DOMAIN}`, text: 'x'.repeat(21) }), (error: any) => {
        assert.equal(error.responseCode, 552);
        assert.match(error.response, /5\.3\.4 Text too long: 21 characters, at most 20 on sms/);
        return true;
      });
      assert.deepEqual(await messagesOf(running, messageId), []);
      assert.equal((await send({ to: `436641234593@${DOMAIN}`, text: 'x'.repeat(20) })).messages.length, 1);
    } finally {
      const cleared = await running.api('PATCH', '/v1/account', { email_text_limit: null });
      assert.equal(cleared.body.email_text_limit, null);
    }
  });

  it('AUTH with a wrong secret is refused with 535; an unknown unauthenticated sender with 550 5.7.1', async () => {
    const wrong = mailClient(port, { user: running.credentials.api_key, pass: 'not-the-secret' });
    try {
      await assert.rejects(wrong.sendMail({ from: CUSTOMER, to: `436641234581@${DOMAIN}`, text: 'x' }), (error: any) => {
        assert.equal(error.responseCode, 535);
        return true;
      });
    } finally {
      wrong.close();
    }
    const anonymous = mailClient(port);
    try {
      await assert.rejects(anonymous.sendMail({ from: 'stranger@unknown.example', to: `436641234581@${DOMAIN}`, text: 'x' }), (error: any) => {
        assert.equal(error.responseCode, 550);
        assert.match(error.response, /5\.7\.1 stranger@unknown\.example may not send here/);
        return true;
      });
    } finally {
      anonymous.close();
    }
  });

  it('a sender registered with PATCH /v1/account email_senders sends without AUTH; bad entries are 422', async () => {
    const bad = await running.api('PATCH', '/v1/account', { email_senders: ['ops@example.com', 'not an address', '*@'] });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.invalid_parameters.map((p: any) => p.name), ['email_senders[1]', 'email_senders[2]']);
    const ok = await running.api('PATCH', '/v1/account', { email_senders: ['ops@example.com', '*@Registered.example'] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.email_senders, ['ops@example.com', '*@registered.example']);
    assert.deepEqual((await running.api('GET', '/v1/account')).body.email_senders, ['ops@example.com', '*@registered.example']);

    const anonymous = mailClient(port);
    try {
      const messageId = newMessageId();
      await anonymous.sendMail({ from: 'Shop@registered.example', messageId, to: `436641234582@${DOMAIN}`, text: 'Parcel ready' });
      const [m] = await messagesOf(running, messageId);
      assert.equal(m.account_id, running.credentials.account_id);
      assert.deepEqual(m.return_to, { type: 'email', address: 'Shop@registered.example' });
    } finally {
      anonymous.close();
    }
  });

  it('a store failure answers 451 and stores none of the e-mail\'s messages (one transaction)', async () => {
    const [existing] = await running.relay.store.listOpen(1);
    assert.ok(existing);
    const fresh = randomUUID();
    // The second message collides with a stored one: its insert fails inside the transaction.
    const ids = [fresh, existing.uuid];
    const store = running.relay.store;
    const acceptMany = createAcceptManyPort({ store, metrics: createMetrics(async () => 0), now: Date.now, newId: () => ids.shift() ?? randomUUID(), onAccepted: () => {} });
    const config = loadConfig({ EMAIL_INTERFACE_DOMAIN: DOMAIN, EMAIL_INTERFACE_ALLOW_INSECURE_AUTH: 'true' }).emailInterface;
    const server = createEmailInterface({ config, store, acceptMany, logger: pino({ level: 'silent' }), now: Date.now });
    const address = (await server.listen(0, '127.0.0.1'))!;
    const failing = mailClient(address.port, { user: running.credentials.api_key, pass: running.credentials.api_secret });
    try {
      await assert.rejects(failing.sendMail({ from: CUSTOMER, to: [`436641234590@${DOMAIN}`, `436641234591@${DOMAIN}`], text: 'x' }), (error: any) => {
        assert.equal(error.responseCode, 451);
        assert.match(error.response, /4\.3\.0 Could not store the messages, nothing was sent/);
        return true;
      });
      assert.equal(await store.getMessage(fresh), undefined, 'the first message was rolled back');
      assert.equal(ids.length, 0, 'both inserts were tried');
    } finally {
      failing.close();
      await server.close();
    }
  });

  it('the Outlook add-in marker records the message with interface outlook', async () => {
    const { messages } = await send({ to: `436641234583@${DOMAIN}`, text: 'From Outlook', headers: { 'X-Statusrelay-Client': 'outlook-addin' } });
    assert.equal(messages[0].interface, 'outlook');
    const mailer = await send({ to: `436641234584@${DOMAIN}`, text: 'From Outlook', xMailer: 'statusrelay Outlook add-in 1.2' });
    assert.equal(mailer.messages[0].interface, 'outlook');
  });
});

describe('e-mail interface: STARTTLS and rate limit', () => {
  const tls = selfSignedCertificate();
  let mailbox: SmtpPeer;
  let running: RunningRelay;
  let port: number;

  before(async () => {
    mailbox = await startSmtpPeer();
    running = await startRelay(
      {
        ...SILENT_SIMULATOR,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(mailbox.port),
        EMAIL_INTERFACE_HOST: '127.0.0.1',
        EMAIL_INTERFACE_DOMAIN: DOMAIN,
        EMAIL_INTERFACE_TLS_CERT: tls.cert,
        EMAIL_INTERFACE_TLS_KEY: tls.key,
        EMAIL_INTERFACE_RATE_PER_MINUTE: '2',
      },
      { emailInterfaceOnPortZero: true },
    );
    port = running.relay.emailAddress()!.port;
  });

  after(async () => {
    await running.stop();
    await mailbox.close();
  });

  it('AUTH is refused before STARTTLS and works after it with the openssl certificate', async () => {
    const auth = { user: running.credentials.api_key, pass: running.credentials.api_secret };
    const clear = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth });
    await assert.rejects(clear.sendMail({ from: CUSTOMER, to: `436641234585@${DOMAIN}`, text: 'x' }), (error: any) => {
      assert.equal(error.responseCode, 538);
      return true;
    });
    clear.close();
    const unverified = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, auth, tls: { ca: tls.cert, servername: 'localhost' } });
    const info = await unverified.sendMail({ from: CUSTOMER, to: `436641234585@${DOMAIN}`, text: 'over TLS' });
    assert.match(info.response, /^250 /);
    unverified.close();
  });

  it('the per-account rate limit answers 451 4.7.1', async () => {
    const auth = { user: running.credentials.api_key, pass: running.credentials.api_secret };
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, auth, tls: { ca: tls.cert, servername: 'localhost' } });
    try {
      // The test above sent one already; one more passes, the next is over the limit.
      await client.sendMail({ from: CUSTOMER, to: `436641234586@${DOMAIN}`, text: 'x' });
      await assert.rejects(client.sendMail({ from: CUSTOMER, to: `436641234587@${DOMAIN}`, text: 'x' }), (error: any) => {
        assert.equal(error.responseCode, 451);
        assert.match(error.response, /4\.7\.1 Rate limit of 2 e-mails per minute/);
        return true;
      });
    } finally {
      client.close();
    }
  });
});

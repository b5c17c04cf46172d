/** The e-mail interface's pure parts: addressing, text extraction, which statuses a request forwards, sender patterns, building the requests. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseRecipient } from '../src/intake/email/recipients.js';
import { cutQuotesAndSignature, messageText } from '../src/intake/email/text.js';
import { buildRequests, receiptStatuses } from '../src/intake/email/server.js';
import { readEmailInterfaceOptions } from '../src/intake/email/options.js';
import { simpleParser } from 'mailparser';
import type { SMTPServerSession } from 'smtp-server';
import { storedAccount } from './helpers/fixtures.js';
import { emailSendersProblem, senderAllowed } from '../src/intake/email/senders.js';

test('recipients: SMS, WhatsApp, a leading +, unknown domains and bad numbers', () => {
  assert.deepEqual(parseRecipient('436641234567@sms.test', 'sms.test'), { ok: true, channel: 'sms', to: '436641234567' });
  assert.deepEqual(parseRecipient('+4915112345678@WhatsApp.SMS.test', 'sms.test'), { ok: true, channel: 'whatsapp', to: '4915112345678' });
  assert.equal(parseRecipient('436641234567@viber.sms.test', 'sms.test').ok, false);
  assert.equal(parseRecipient('123456@sms.test', 'sms.test').ok, false);
  assert.equal(parseRecipient('1234567890123456@sms.test', 'sms.test').ok, false);
  assert.equal(parseRecipient('43664abc@sms.test', 'sms.test').ok, false);
});

test('text: Outlook reply block, German reply header, signature without trailing space', () => {
  assert.equal(cutQuotesAndSignature('Ok.\r\n\r\nFrom: Bob <bob@x.example>\r\nSent: Monday\r\nTo: Alice\r\n\r\nold'), 'Ok.');
  assert.equal(cutQuotesAndSignature('Ja.\nAm 01.12.2026 um 10:00 schrieb Bob <bob@x.example>:\n> Kommst du?'), 'Ja.');
  assert.equal(cutQuotesAndSignature('Hi\n-----Original Message-----\nFrom: x'), 'Hi');
  assert.equal(cutQuotesAndSignature('Hi\n--\nAlice'), 'Hi');
  // "From:" in the middle of a text without a Sent: line is kept.
  assert.equal(cutQuotesAndSignature('From: the team\nThanks all'), 'From: the team\nThanks all');
  assert.equal(messageText({ text: '', html: '<p>Only <i>HTML</i></p>' }), 'Only HTML');
  assert.equal(messageText({ text: '  ', subject: 'Subject only' }), 'Subject only');
});

test('receipt statuses: SMS either request = delivered; WhatsApp each on its own; failures unless NEVER', () => {
  assert.deepEqual(receiptStatuses(true, ['read'], true), ['delivered', 'rejected', 'undeliverable']);
  assert.deepEqual(receiptStatuses(true, [], true), ['rejected', 'undeliverable']);
  assert.deepEqual(receiptStatuses(true, ['delivered'], false), ['delivered']);
  assert.deepEqual(receiptStatuses(false, ['read'], true), ['read', 'rejected', 'undeliverable']);
  assert.deepEqual(receiptStatuses(false, ['delivered', 'read'], false), ['delivered', 'read']);
  assert.deepEqual(receiptStatuses(false, [], false), []);
});

test('sender patterns: exact address, *@domain, nothing else', () => {
  assert.equal(senderAllowed(['ops@example.com'], 'OPS@example.com'), true);
  assert.equal(senderAllowed(['*@example.com'], 'anyone@example.com'), true);
  assert.equal(senderAllowed(['*@example.com'], 'anyone@sub.example.com'), false);
  assert.equal(senderAllowed(['ops@example.com'], 'other@example.com'), false);
  assert.equal(senderAllowed(undefined, 'ops@example.com'), false);
  assert.deepEqual(emailSendersProblem(['ok@example.com', '*@example.com']), []);
  assert.deepEqual(emailSendersProblem('ops@example.com').map((p) => p.name), ['email_senders']);
  assert.deepEqual(emailSendersProblem(['*', 'a@b']).map((p) => p.name), ['email_senders[0]', 'email_senders[1]']);
});

test('buildRequests: an image for WhatsApp is refused with the reason while PUBLIC_BASE_URL is not set', async () => {
  const config = readEmailInterfaceOptions({ EMAIL_INTERFACE_DOMAIN: 'sms.test' });
  assert.equal(config.mediaBaseUrl, undefined);
  const mail = await simpleParser(
    ['From: a@customer.example', 'To: 436641234567@whatsapp.sms.test', 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'hi',
      '--b', 'Content-Type: image/png; name=a.png', 'Content-Disposition: attachment; filename=a.png', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--b--', ''].join('\r\n'),
  );
  const session = { envelope: { mailFrom: { address: 'a@customer.example', args: false }, rcptTo: [] } } as unknown as SMTPServerSession;
  const current = { account: storedAccount(), notify: new Map([['436641234567@whatsapp.sms.test', undefined]]) };
  assert.throws(() => buildRequests(mail, session, current, config, 0), (error: Error & { responseCode?: number }) => {
    assert.equal(error.responseCode, 554);
    assert.match(error.message, /^5\.6\.1 Attachments are not sent: this service has no PUBLIC_BASE_URL/);
    return true;
  });
  const withBase = readEmailInterfaceOptions({ EMAIL_INTERFACE_DOMAIN: 'sms.test', PUBLIC_BASE_URL: 'https://relay.example/' });
  assert.equal(withBase.mediaBaseUrl, 'https://relay.example');
  const { requests, media } = buildRequests(mail, session, current, withBase, 0);
  assert.equal(requests[0]!.first.image_url, `https://relay.example/v1/media/${media[0]!.id}`);
  assert.throws(() => readEmailInterfaceOptions({ PUBLIC_BASE_URL: 'relay.example' }), /PUBLIC_BASE_URL/);
});

test('buildRequests: a text with a control character (here from an HTML character reference) is refused with 554 5.6.0 naming it', async () => {
  const config = readEmailInterfaceOptions({ EMAIL_INTERFACE_DOMAIN: 'sms.test' });
  const session = { envelope: { mailFrom: { address: 'a@customer.example', args: false }, rcptTo: [] } } as unknown as SMTPServerSession;
  const current = { account: storedAccount(), notify: new Map([['436641234567@sms.test', undefined]]) };
  for (const [body, found] of [
    ['Content-Type: text/html\r\n\r\n<p>Hi &#x1F;</p>', 'U+001F at position 3'],
    ['Content-Type: text/plain; charset=utf-8\r\n\r\nHi \u0000 there', 'U+0000 at position 3'],
  ] as const) {
    const mail = await simpleParser(`From: a@customer.example\r\nTo: 436641234567@sms.test\r\n${body}`);
    assert.throws(() => buildRequests(mail, session, current, config, 0), (error: Error & { responseCode?: number }) => {
      assert.equal(error.responseCode, 554);
      assert.match(error.message, /^5\.6\.0 The text contains a character /);
      assert.ok(error.message.includes(`(${found})`), error.message);
      return true;
    });
  }
  const fine = await simpleParser('From: a@customer.example\r\nTo: 436641234567@sms.test\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTab\there, emoji 😀\r\nnext line');
  assert.equal(buildRequests(fine, session, current, config, 0).requests[0]!.first.text, 'Tab\there, emoji 😀\nnext line');
});

test('buildRequests: a part whose Content-Type has U+2028 in it (mailparser then gives no type: false) is refused 554 5.6.1, not a TypeError', async () => {
  const config = readEmailInterfaceOptions({ EMAIL_INTERFACE_DOMAIN: 'sms.test', PUBLIC_BASE_URL: 'https://relay.example' });
  const mail = await simpleParser(
    ['From: a@customer.example', 'To: 436641234567@whatsapp.sms.test', 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'hi',
      '--b', 'Content-Type: text/html; charset=u\u2028\u2028tf-8', '', '<p>hi</p>', '--b--', ''].join('\r\n'),
  );
  assert.equal(mail.attachments.length, 1);
  assert.equal(typeof mail.attachments[0]!.contentType, 'boolean', 'the case this test is about');
  const session = { envelope: { mailFrom: { address: 'a@customer.example', args: false }, rcptTo: [] } } as unknown as SMTPServerSession;
  const current = { account: storedAccount(), notify: new Map([['436641234567@whatsapp.sms.test', undefined]]) };
  assert.throws(() => buildRequests(mail, session, current, config, 0), (error: Error & { responseCode?: number }) => {
    assert.equal(error.responseCode, 554);
    assert.match(error.message, /^5\.6\.1 WhatsApp sends JPEG or PNG images only: the attachment is of no readable type$/);
    return true;
  });
});

/**
 * The pure parsers and validators: the forwarding-rules validator, the SMPP receipt parser, the
 * SMPP server's submit_sm decoding and the e-mail interface's addressing, text and request
 * building. Each may refuse in its documented way only; what it accepts is checked for sense.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { simpleParser } from 'mailparser';
import type { SMTPServerSession } from 'smtp-server';
import type { CaseOutcome, FuzzSession, FuzzTarget } from '../harness.js';
import { digits, nearValid, oddText } from '../arbitraries.js';
import { validForwarding } from './api.js';
import { validateForwardingRules } from '../../src/model/forwarding-rules.js';
import { RECEIPT_STATES, parseReceipt, type ReceiptInput } from '../../src/carriage/smpp/receipt.js';
import { parseSubmitSm, Refusal, STATUS, validityTtl } from '../../src/intake/smpp/pdu.js';
import { submitText } from '../../src/intake/smpp/text.js';
import { encodeSms } from '../../src/model/gsm.js';
import { parseRecipient } from '../../src/intake/email/recipients.js';
import { messageText } from '../../src/intake/email/text.js';
import { buildRequests } from '../../src/intake/email/server.js';
import { readEmailInterfaceOptions } from '../../src/intake/email/options.js';
import { validateMessageRequest } from '../../src/intake/api/message-request.js';
import type { Account } from '../../src/store/store.js';

/** A target without a relay: nothing to start or close. */
function pureTarget<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => CaseOutcome | Promise<CaseOutcome>): FuzzTarget<T> {
  const session: FuzzSession<T> = { arbitrary, check, close: async () => {} };
  return { name, start: async () => session };
}

const crash = (what: string): CaseOutcome => ({ crash: what });

export const forwardingRulesTarget = pureTarget('forwarding-rules validator', nearValid(validForwarding), (body) => {
  const result = validateForwardingRules(body);
  if (!result.ok) return result.invalid.length > 0 ? {} : crash('refused without naming a field');
  // What is stored is read back as the same document: validating it again changes nothing.
  const stored = JSON.parse(JSON.stringify(result.value));
  const again = validateForwardingRules(stored);
  return again.ok && isDeepStrictEqual(again.value, stored) ? {} : crash('the stored rules do not validate to themselves');
});

const receiptText = fc
  .record({
    id: fc.oneof(fc.stringMatching(/^[0-9A-Fa-f]{1,20}$/), oddText),
    sub: digits(1, 3),
    dlvrd: digits(1, 3),
    submit: digits(10, 12),
    done: fc.oneof(digits(10, 12), oddText),
    stat: fc.oneof(fc.constantFrom(...RECEIPT_STATES, 'DELIVERED', 'delivrd', 'Rejected', 'UNKNOWN_X'), oddText),
    err: fc.oneof(digits(1, 3), oddText),
    text: oddText,
    drop: fc.subarray(['id', 'sub', 'dlvrd', 'submit date', 'done date', 'stat', 'err', 'text']),
  })
  .map(({ drop, ...f }) =>
    [['id', f.id], ['sub', f.sub], ['dlvrd', f.dlvrd], ['submit date', f.submit], ['done date', f.done], ['stat', f.stat], ['err', f.err], ['text', f.text]]
      .filter(([name]) => !drop.includes(name!))
      .map(([name, value]) => `${name}:${value}`)
      .join(' '),
  );

const receiptInput: fc.Arbitrary<ReceiptInput> = fc.record(
  {
    text: fc.oneof({ weight: 5, arbitrary: receiptText }, { weight: 1, arbitrary: oddText }),
    receiptedMessageId: oddText,
    messageState: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.integer()),
    networkError: fc.record({ type: fc.integer({ min: 0, max: 255 }), code: fc.integer({ min: 0, max: 65535 }) }),
  },
  { requiredKeys: [] },
);

export const smppReceiptTarget = pureTarget('SMPP receipt parser', receiptInput, (input) => {
  const result = parseReceipt(input);
  if (!result.ok) return ['malformed', 'unknown-state'].includes(result.reason) ? {} : crash(`refusal reason ${result.reason}`);
  const { receipt } = result;
  if (typeof receipt.ref !== 'string' || receipt.ref.trim() === '') return crash('accepted a receipt without a message id');
  if (!(RECEIPT_STATES as readonly string[]).includes(receipt.state)) return crash(`state ${receipt.state}`);
  if (receipt.doneAt !== undefined && !Number.isFinite(receipt.doneAt)) return crash('done date is not a time');
  return {};
});

/** The parameters of a submit_sm as fields, encoded into the PDU body below. */
const submitFields = fc.record({
  serviceType: fc.constantFrom('', 'CMT', 'WAP'),
  sourceTon: fc.constantFrom(0, 1, 5, 3),
  source: fc.oneof(digits(7, 15), fc.constantFrom('ACME', 'Brand 1'), fc.string({ maxLength: 22 })),
  destTon: fc.constantFrom(1, 0, 5),
  destination: fc.oneof(digits(7, 15), fc.string({ maxLength: 22 })),
  esmClass: fc.oneof(fc.constantFrom(0, 0x40, 0x03, 0x02), fc.integer({ min: 0, max: 255 })),
  schedule: fc.constantFrom('', '260101000000000+'),
  validity: fc.oneof(fc.constantFrom('', '000001000000000R', '991231235959048+', '260230120000000+', '000000000000000R', '991399999999999-'), fc.stringMatching(/^\d{12}\d\d{2}[+\-R]$/), fc.string({ maxLength: 17 })),
  registeredDelivery: fc.integer({ min: 0, max: 255 }),
  dataCoding: fc.oneof(fc.constantFrom(0, 1, 3, 8, 0xf0, 0xf4, 4), fc.integer({ min: 0, max: 255 })),
  message: fc.uint8Array({ maxLength: 200 }),
  udh: fc.option(fc.oneof(fc.constantFrom([5, 0, 3, 7, 2, 1], [6, 8, 4, 0, 7, 2, 2], [5, 0, 3, 7, 0, 0], [2, 0, 5]), fc.array(fc.nat(255), { maxLength: 8 })), { nil: undefined }),
  payloadInTlv: fc.boolean(),
  tlvs: fc.array(fc.record({ tag: fc.constantFrom(0x0424, 0x020c, 0x020e, 0x020f, 0x1400, 0), value: fc.uint8Array({ maxLength: 4 }) }), { maxLength: 3 }),
});

function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([0])]);
}

function submitBody(f: typeof submitFields extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const message = Buffer.concat([Buffer.from(f.udh ?? []), Buffer.from(f.message)]);
  const shortMessage = f.payloadInTlv ? Buffer.alloc(0) : message.subarray(0, 255);
  const tlv = (tag: number, value: Uint8Array) => {
    const header = Buffer.alloc(4);
    header.writeUInt16BE(tag, 0);
    header.writeUInt16BE(value.length, 2);
    return Buffer.concat([header, Buffer.from(value)]);
  };
  return Buffer.concat([
    Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1]),
    cstring(f.serviceType),
    Buffer.from([f.sourceTon, 1]),
    cstring(f.source),
    Buffer.from([f.destTon, 1]),
    cstring(f.destination),
    Buffer.from([f.esmClass, 0, 0]),
    cstring(f.schedule),
    cstring(f.validity),
    Buffer.from([f.registeredDelivery, 0, f.dataCoding, 0, shortMessage.length]),
    shortMessage,
    ...(f.payloadInTlv ? [tlv(0x0424, message)] : []),
    ...f.tlvs.map(({ tag, value }) => tlv(tag, value)),
  ]);
}

/** Byte-level damage: cut short, bytes overwritten, bytes inserted. */
const damagedBody = fc
  .tuple(submitFields.map(submitBody), fc.array(fc.record({ kind: fc.constantFrom('cut', 'set', 'insert'), at: fc.nat(), byte: fc.nat(255) }), { maxLength: 3 }))
  .map(([body, edits]) =>
    edits.reduce((current, { kind, at, byte }) => {
      const i = at % (current.length + 1);
      if (kind === 'cut') return current.subarray(0, i);
      if (kind === 'set' && i < current.length) return Buffer.concat([current.subarray(0, i), Buffer.from([byte]), current.subarray(i + 1)]);
      return Buffer.concat([current.subarray(0, i), Buffer.from([byte]), current.subarray(i)]);
    }, body),
  );

const SUBMIT_STATUSES = new Set<number>(Object.values(STATUS));
const NOW = Date.UTC(2026, 0, 15);

export const smppSubmitTarget = pureTarget('SMPP submit_sm decoding', fc.oneof({ weight: 3, arbitrary: damagedBody }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes)) }), (body) => {
  try {
    const parsed = parseSubmitSm(body);
    const ttl = validityTtl(parsed.validity_period, NOW);
    if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl <= 0)) return crash(`ttl ${ttl}`);
    const { text } = submitText(parsed);
    if (typeof text !== 'string') return crash('text is not a string');
    // The server refuses what does not fit in 255 parts (its own catch); anything else is a crash.
    try {
      encodeSms(text);
    } catch {
      return {};
    }
    return {};
  } catch (error) {
    if (error instanceof Refusal) return SUBMIT_STATUSES.has(error.status) ? {} : crash(`refused with unknown command_status ${error.status}`);
    throw error;
  }
});

const DOMAIN = 'sms.test';
const emailConfig = readEmailInterfaceOptions({ EMAIL_INTERFACE_DOMAIN: DOMAIN, PUBLIC_BASE_URL: 'https://relay.example' });
const emailAccount: Account = {
  id: 'fuzz-account',
  name: 'fuzz',
  api_key: 'fuzz-key',
  api_secret_hash: 'ab'.repeat(32),
  signature_secret: 'whsec_' + Buffer.alloc(32, 3).toString('base64'),
  created_at: 0,
};

const address = fc.oneof(
  fc.tuple(fc.constantFrom('', '+', '00'), digits(5, 17), fc.constantFrom(DOMAIN, `whatsapp.${DOMAIN}`, 'WhatsApp.SMS.test', 'viber.sms.test', 'other.example')).map(([plus, number, domain]) => `${plus}${number}@${domain}`),
  oddText,
  fc.tuple(oddText, oddText).map(([local, domain]) => `${local}@${domain}`),
);

const notify = fc.option(fc.subarray(['SUCCESS', 'FAILURE', 'DELAY', 'NEVER']), { nil: undefined });

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** A mail as it comes off the wire: headers, a text, HTML or multipart body, maybe an image. */
const rawMail = fc
  .record({
    from: fc.oneof(fc.constant('a@customer.example'), oddText),
    subject: fc.option(oddText, { nil: undefined }),
    text: oddText,
    html: fc.option(fc.oneof(oddText, oddText.map((t) => `<p>${t}</p><blockquote>old</blockquote><img src="x">`)), { nil: undefined }),
    image: fc.option(fc.constantFrom('image/png', 'image/jpeg', 'image/gif', 'application/pdf'), { nil: undefined }),
    inline: fc.boolean(),
    extra: fc.subarray(['Disposition-Notification-To: a@customer.example', 'Return-Receipt-To: a@customer.example', 'X-Statusrelay-Client: outlook-addin', 'Message-ID: <m1@customer.example>', 'Content-Transfer-Encoding: quoted-printable']),
  })
  .map(({ from, subject, text, html, image, inline, extra }) => {
    const head = [`From: ${from}`, ...(subject !== undefined ? [`Subject: ${subject}`] : []), ...extra];
    const parts = [['Content-Type: text/plain; charset=utf-8', '', text].join('\r\n')];
    if (html !== undefined) parts.push(['Content-Type: text/html; charset=utf-8', '', html].join('\r\n'));
    if (image) parts.push([`Content-Type: ${image}; name=a`, `Content-Disposition: ${inline ? 'inline' : 'attachment'}; filename=a`, ...(inline ? ['Content-ID: <c1>'] : []), 'Content-Transfer-Encoding: base64', '', PNG].join('\r\n'));
    if (parts.length === 1) return [...head, parts[0]].join('\r\n');
    return [...head, 'Content-Type: multipart/mixed; boundary=b', '', ...parts.map((part) => `--b\r\n${part}`), '--b--', ''].join('\r\n');
  });

const mailCase = fc.record({
  raw: fc.oneof({ weight: 5, arbitrary: rawMail }, { weight: 1, arbitrary: fc.tuple(rawMail, fc.nat(), oddText).map(([raw, at, insert]) => raw.slice(0, at % raw.length) + insert + raw.slice(at % raw.length)) }),
  mailFrom: fc.option(fc.oneof(fc.constant('a@customer.example'), oddText), { nil: undefined }),
  recipients: fc.array(fc.tuple(address, notify), { minLength: 0, maxLength: 3 }),
  textLimit: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
});

/** The SmtpReply of the e-mail interface: an error with an SMTP response code. */
const isSmtpReply = (error: unknown) => error instanceof Error && typeof (error as { responseCode?: unknown }).responseCode === 'number';

export const emailTarget = pureTarget('e-mail interface (recipients, text, buildRequests)', mailCase, async (input) => {
  for (const [recipient] of input.recipients) {
    const parsed = parseRecipient(recipient, DOMAIN);
    if (parsed.ok && !/^\d{7,15}$/.test(parsed.to)) return crash(`recipient ${parsed.to} is not a number`);
  }
  const mail = await simpleParser(input.raw);
  if (typeof messageText({ ...(mail.text !== undefined ? { text: mail.text } : {}), html: mail.html }) !== 'string') return crash('messageText is not a string');
  const session = { envelope: { mailFrom: input.mailFrom === undefined ? false : { address: input.mailFrom, args: false }, rcptTo: [] } } as unknown as SMTPServerSession;
  const account = { ...emailAccount, ...(input.textLimit !== undefined ? { email_text_limit: input.textLimit } : {}) };
  const current = { account, notify: new Map(input.recipients) };
  let built: ReturnType<typeof buildRequests>;
  try {
    built = buildRequests(mail, session, current, emailConfig, NOW);
  } catch (error) {
    if (isSmtpReply(error)) return {};
    throw error;
  }
  // What the e-mail interface sends, the REST API would accept as a request.
  for (const request of built.requests) {
    const { channel, message_type, to, from, text, image_url } = request.first;
    const asApi = image_url ? { channel, message_type, to, from, image: { url: image_url, ...(text ? { caption: text } : {}) } } : { channel, message_type, to, from, text };
    const checked = validateMessageRequest(asApi);
    if (!checked.ok) return crash(`the REST API would refuse what the e-mail interface accepted: ${JSON.stringify(checked.invalid)}`);
  }
  return {};
});

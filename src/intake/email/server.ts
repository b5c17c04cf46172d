/**
 * The e-mail interface: an SMTP server (smtp-server) that turns each e-mail into one SMS or
 * WhatsApp message per recipient and stores them all through the accept port in one transaction
 * before it answers 250 (README, "E-mail interface"). Receipts go back to the envelope sender
 * (return_to), as standard delivery and read reports built by the e-mail sender.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import type { Account, Media, Store } from '../../store/store.js';
import type { Status } from '../../model/vocabulary.js';
import type { AcceptManyPort, AcceptRequest } from '../accept.js';
import { authenticateKey } from '../accounts.js';
import { LIMITS } from '../api/message-request.js';
import type { EmailInterfaceConfig } from './options.js';
import { parseRecipient } from './recipients.js';
import { senderAllowed } from './senders.js';
import { messageText } from './text.js';
import { xmlUnsafeCharacter } from '../../model/text.js';

export interface EmailInterfaceDeps {
  config: EmailInterfaceConfig;
  store: Store;
  acceptMany: AcceptManyPort;
  logger: Logger;
  now: () => number;
}

/** The Outlook add-in marks its mails with this header (or an X-Mailer that starts with OUTLOOK_MAILER). */
export const OUTLOOK_HEADER = 'x-statusrelay-client';
export const OUTLOOK_HEADER_VALUE = 'outlook-addin';
export const OUTLOOK_MAILER = 'statusrelay Outlook add-in';

/** An SMTP answer: the code and the text after it (starting with the enhanced status code). */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface SessionState {
  account?: Account;
  /** What RCPT TO asked for, per accepted recipient. */
  notify: Map<string, string[] | undefined>;
}

export function createEmailInterface(deps: EmailInterfaceDeps) {
  const { config, store, logger } = deps;
  const sessions = new WeakMap<SMTPServerSession, SessionState>();
  const state = (session: SMTPServerSession): SessionState => {
    let current = sessions.get(session);
    if (!current) sessions.set(session, (current = { notify: new Map() }));
    return current;
  };
  const rate = createRateLimit(config.ratePerMinute, deps.now);

  const server = new SMTPServer({
    name: config.domain,
    banner: 'statusrelay e-mail to SMS and WhatsApp',
    logger: false,
    size: config.maxBytes,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    // Advertise DSN (RFC 3461): NOTIFY on RCPT TO asks for receipts.
    hideDSN: false,
    allowInsecureAuth: config.allowInsecureAuth,
    ...(config.tls ? { key: config.tls.key, cert: config.tls.cert } : { disabledCommands: ['STARTTLS'] }),

    onAuth(auth, session, callback) {
      authenticateKey(store, auth.username ?? '', auth.password ?? '')
        .then((account) => {
          if (!account) return callback(new SmtpReply(535, '5.7.8 Authentication failed: use your api_key and api_secret'));
          if (account.disabled_at !== undefined) return callback(new SmtpReply(535, '5.7.8 Authentication failed: the account is disabled'));
          state(session).account = account;
          callback(null, { user: account.id });
        })
        .catch(() => callback(new SmtpReply(454, '4.7.0 Temporary authentication failure')));
    },

    onMailFrom(address, session, callback) {
      const current = state(session);
      current.notify.clear();
      (async () => {
        // Read afresh for every mail: a pooled connection outlives changes to the account's settings.
        current.account = session.user ? await store.getAccount(String(session.user)) : await accountOfSender(store, address.address);
        if (!current.account) {
          throw new SmtpReply(550, `5.7.1 ${address.address || 'the null sender'} may not send here: authenticate (AUTH with api_key and api_secret) or register the address in email_senders`);
        }
        // Disabled while a connection stayed open, or a sender registered by a disabled account.
        if (current.account.disabled_at !== undefined) throw new SmtpReply(550, '5.7.1 The account is disabled');
        if (!rate(current.account.id)) throw new SmtpReply(451, `4.7.1 Rate limit of ${config.ratePerMinute} e-mails per minute reached, try again later`);
      })().then(() => callback(), (error) => callback(asReply(error)));
    },

    onRcptTo(address, session, callback) {
      const current = state(session);
      const recipient = parseRecipient(address.address, config.domain);
      if (!recipient.ok) return callback(new SmtpReply(550, `5.1.1 ${recipient.reason}`));
      if (current.notify.size >= config.maxRecipients) {
        return callback(new SmtpReply(452, `4.5.3 Too many recipients: at most ${config.maxRecipients} per e-mail`));
      }
      current.notify.set(address.address, dsnNotify(address));
      callback();
    },

    onData(stream, session, callback) {
      const current = state(session);
      simpleParser(stream, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true })
        .then(async (mail) => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            throw new SmtpReply(552, `5.3.4 Message too big: at most ${config.maxBytes} bytes`);
          }
          const { requests, media } = buildRequests(mail, session, current, config, deps.now());
          await deps.acceptMany(requests, media).catch((error) => {
            logger.error({ err: error }, 'e-mail interface: storing the messages failed');
            throw new SmtpReply(451, '4.3.0 Could not store the messages, nothing was sent: try again later');
          });
          callback(null, `2.0.0 Accepted: ${requests.length} message${requests.length === 1 ? '' : 's'}`);
        })
        .catch((error) => {
          stream.resume();
          callback(asReply(error));
        });
    },
  });
  server.on('error', (error) => logger.warn({ err: error }, 'e-mail interface connection error'));

  return {
    /** Listens unless the port is 0; resolves with `host:port`, or undefined when off. */
    async listen(port = config.port, host = config.host): Promise<AddressInfo | undefined> {
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      return server.server.address() as AddressInfo;
    },
    close(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function asReply(error: unknown): Error {
  if (error instanceof SmtpReply) return error;
  return new SmtpReply(451, '4.3.0 Temporary failure, try again later');
}

/** The account that registered this envelope sender: an exact address wins over `*@domain`. */
async function accountOfSender(store: Store, address: string): Promise<Account | undefined> {
  if (!address) return undefined;
  const accounts = await store.listEmailSenderAccounts();
  const lower = address.toLowerCase();
  const exact = accounts.filter((account) => account.email_senders?.includes(lower));
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return undefined; // ambiguous: nobody's
  const byDomain = accounts.filter((account) => senderAllowed(account.email_senders, lower));
  return byDomain.length === 1 ? byDomain[0] : undefined;
}

function dsnNotify(address: SMTPServerAddress): string[] | undefined {
  const dsn = (address as SMTPServerAddress & { dsn?: { notify?: string[] } }).dsn;
  return dsn?.notify?.map((value) => value.toUpperCase());
}

/** Every message of the e-mail (and the image they show), or an SmtpReply saying why none is sent. */
export function buildRequests(
  mail: ParsedMail,
  session: SMTPServerSession,
  current: SessionState,
  config: EmailInterfaceConfig,
  now: number,
): { requests: AcceptRequest[]; media: Media[] } {
  const account = current.account!;
  const sender = (session.envelope.mailFrom && session.envelope.mailFrom.address) || mail.from?.value[0]?.address || '';
  if (!sender) throw new SmtpReply(550, '5.7.1 No sender address to send receipts back to');
  const text = messageText({ ...(mail.text !== undefined ? { text: mail.text } : {}), html: mail.html, ...(mail.subject ? { subject: mail.subject } : {}) });
  const outlook = isOutlook(mail);
  const wantsRead = mail.headers.has('disposition-notification-to');
  const wantsDeliveredHeader = mail.headers.has('return-receipt-to');
  const attachments = mail.attachments.filter((attachment) => !(attachment.related || attachment.contentDisposition === 'inline' && attachment.cid));
  // Receipts thread under the original mail; one without a Message-ID gets one here, so its
  // receipts are still standard reports that name it.
  const messageId = mail.messageId ?? `<${randomUUID()}@${config.domain}>`;
  const recipients = [...current.notify].flatMap(([address, notify]) => {
    const recipient = parseRecipient(address, config.domain);
    return recipient.ok ? [{ ...recipient, notify }] : []; // the others were refused at RCPT TO
  });
  if (recipients.length === 0) throw new SmtpReply(554, '5.5.1 No valid recipients');
  if (attachments.length > 0 && recipients.some((recipient) => recipient.channel === 'sms')) {
    throw new SmtpReply(554, '5.6.1 Attachments cannot be sent by SMS: send text only');
  }
  // The REST API refuses these characters too (422): receipts in XML, SMPP and mail could not carry them.
  const unsafe = xmlUnsafeCharacter(text);
  if (unsafe) throw new SmtpReply(554, `5.6.0 The text contains a character SMS, WhatsApp and receipts cannot carry (${unsafe}): control characters other than tab and line breaks, U+FFFE, U+FFFF and unpaired surrogates`);
  const image = attachments.length > 0 ? whatsappImage(attachments, account.id, config, now) : undefined;

  const requests = recipients.map(({ channel, to, notify }): AcceptRequest => {
    const max = Math.min(image ? LIMITS.caption : channel === 'sms' ? LIMITS.smsText : LIMITS.text, account.email_text_limit ?? Infinity);
    if (text === '' && !image) throw new SmtpReply(554, '5.6.0 The e-mail has no text (body and subject are empty)');
    if ([...text].length > max) throw new SmtpReply(552, `5.3.4 Text too long: ${[...text].length} characters, at most ${max}${image ? ' in an image caption' : ''} on ${channel}`);
    const delivered = wantsDeliveredHeader || (notify?.includes('SUCCESS') ?? false);
    const asked: Array<'delivered' | 'read'> = [...(delivered ? ['delivered' as const] : []), ...(wantsRead ? ['read' as const] : [])];
    const failures = !(notify?.includes('NEVER') ?? false);
    const from = channel === 'sms' ? config.smsFrom : config.whatsappFrom;
    return {
      account_id: account.id,
      // The add-in has rules for SMS only (model/interfaces.ts); its WhatsApp mails count as e-mail.
      interface: outlook && channel === 'sms' ? 'outlook' : 'email',
      first: image
        ? { channel, message_type: 'image', to, from, image_url: `${config.mediaBaseUrl}/v1/media/${image.id}`, ...(text ? { text } : {}) }
        : { channel, message_type: 'text', to, from, text },
      failover: [],
      return_to: { type: 'email', address: sender },
      receipt_request: asked,
      receipt_statuses: receiptStatuses(channel === 'sms', asked, failures),
      origin_message_id: messageId,
    };
  });
  return { requests, media: image ? [image] : [] };
}

/** What WhatsApp shows as an image message: JPEG or PNG up to 5 MB (the Cloud API's limits). */
const WHATSAPP_IMAGE_TYPES = new Set(['image/jpeg', 'image/png']);
const WHATSAPP_IMAGE_MAX_BYTES = 5 * 1024 * 1024;

/** The one image of a WhatsApp e-mail, stored with the messages and served by URL, or an SmtpReply. */
function whatsappImage(attachments: Attachment[], accountId: string, config: EmailInterfaceConfig, now: number): Media {
  if (!config.mediaBaseUrl) {
    throw new SmtpReply(554, '5.6.1 Attachments are not sent: this service has no PUBLIC_BASE_URL the provider could fetch images from; send text only');
  }
  if (attachments.length > 1) throw new SmtpReply(554, `5.6.1 One image per e-mail: a WhatsApp message carries one image, this e-mail has ${attachments.length} attachments`);
  const [attachment] = attachments as [Attachment];
  const name = attachment.filename ?? 'the attachment';
  // A Content-Type header mailparser cannot read leaves no string here: no image either, and a
  // permanent refusal rather than a TypeError (which the server answers as a temporary failure).
  const type = typeof attachment.contentType === 'string' ? attachment.contentType.toLowerCase() : undefined;
  if (type === undefined || !WHATSAPP_IMAGE_TYPES.has(type)) {
    throw new SmtpReply(554, `5.6.1 WhatsApp sends JPEG or PNG images only: ${name} is ${type ?? 'of no readable type'}`);
  }
  if (attachment.size > WHATSAPP_IMAGE_MAX_BYTES) throw new SmtpReply(552, `5.3.4 Image too big: ${name} has ${attachment.size} bytes, WhatsApp takes at most ${WHATSAPP_IMAGE_MAX_BYTES}`);
  return { id: randomBytes(16).toString('hex'), account_id: accountId, content_type: type, bytes: attachment.content, created_at: now };
}

/** SMS: either request asks for the one SMS receipt. WhatsApp: each on its own. Failures unless NOTIFY=NEVER. */
export function receiptStatuses(sms: boolean, asked: ReadonlyArray<'delivered' | 'read'>, failures: boolean): Status[] {
  const statuses: Status[] = sms ? (asked.length > 0 ? ['delivered'] : []) : [...asked];
  return failures ? [...statuses, 'rejected', 'undeliverable'] : statuses;
}

function isOutlook(mail: ParsedMail): boolean {
  const marker = mail.headers.get(OUTLOOK_HEADER);
  if (typeof marker === 'string' && marker.trim().toLowerCase() === OUTLOOK_HEADER_VALUE) return true;
  const mailer = mail.headers.get('x-mailer');
  return typeof mailer === 'string' && mailer.startsWith(OUTLOOK_MAILER);
}

/** A fixed window per account per minute: true = this e-mail may pass. */
function createRateLimit(perMinute: number, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (accountId: string): boolean => {
    const t = now();
    const current = windows.get(accountId);
    if (!current || t - current.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      windows.set(accountId, { start: t, count: 1 });
      return true;
    }
    current.count++;
    return current.count <= perMinute;
  };
}

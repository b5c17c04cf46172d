/**
 * Receipts for mails that came in through the e-mail interface, as the standard reports mail
 * clients already show: `multipart/report; report-type=delivery-status` (RFC 3464) for delivered
 * and failed, `multipart/report; report-type=disposition-notification` (RFC 8098) for read. Each
 * has a short human part (English and German), the machine part, and the callback in the chosen
 * format as an attachment; `In-Reply-To` and `References` name the original Message-ID so the
 * report threads under the sent mail. Built with nodemailer's MIME builder, never by hand.
 */
import MimeNode from 'nodemailer/lib/mime-node';
import type { ClaimedCallback } from '../../store/store.js';
import type { Status } from '../../model/vocabulary.js';

export interface ReportMail {
  /** The whole message, ready for SMTP DATA. */
  raw: Buffer;
}

export interface ReportOptions {
  from: string;
  /** Names the reporting MTA / UA and the Message-ID. */
  domain: string;
  /** The domain of the e-mail interface: the original recipient was `<number>@<domain>`. */
  interfaceDomain: string;
  messageId: string;
  date: Date;
  /** Extra headers (the Standard Webhooks signature). */
  headers: Record<string, string>;
}

const CHANNEL_NAMES: Record<string, string> = { sms: 'SMS', mms: 'MMS', whatsapp: 'WhatsApp', viber_service: 'Viber', messenger: 'Messenger', rcs: 'RCS' };

const WORDS: Partial<Record<Status, { en: string; de: string; subjectEn: string; subjectDe: string }>> = {
  delivered: { en: 'was delivered', de: 'wurde zugestellt', subjectEn: 'Delivered', subjectDe: 'Zugestellt' },
  read: { en: 'was read', de: 'wurde gelesen', subjectEn: 'Read', subjectDe: 'Gelesen' },
  rejected: { en: 'could not be sent (rejected)', de: 'konnte nicht gesendet werden (abgelehnt)', subjectEn: 'Not sent', subjectDe: 'Nicht gesendet' },
  undeliverable: { en: 'could not be delivered', de: 'konnte nicht zugestellt werden', subjectEn: 'Undeliverable', subjectDe: 'Unzustellbar' },
};

/** Whether this callback is mailed as a standard report: it answers a mail of the e-mail interface. */
export function isReportCallback(callback: Pick<ClaimedCallback, 'headline' | 'status'>): boolean {
  return Boolean(callback.headline?.in_reply_to) && WORDS[callback.status] !== undefined;
}

export async function buildReport(callback: ClaimedCallback, options: ReportOptions): Promise<ReportMail> {
  if (callback.destination.type !== 'email') throw new Error('a report goes to an e-mail address');
  const words = WORDS[callback.status]!;
  const channel = callback.headline?.channel ?? 'sms';
  const channelName = CHANNEL_NAMES[channel] ?? channel;
  const number = callback.headline?.to ?? '';
  const inReplyTo = callback.headline!.in_reply_to!;
  const read = callback.status === 'read';
  const recipient = `${number}@${channel === 'sms' ? '' : `${channel}.`}${options.interfaceDomain}`;

  const root = new MimeNode(`multipart/report; report-type=${read ? 'disposition-notification' : 'delivery-status'}`, {
    hostname: options.domain,
  });
  root.setHeader({
    From: options.from,
    To: callback.destination.address,
    Subject: `${words.subjectEn} / ${words.subjectDe}: ${channelName} to +${number}`,
    'Message-ID': options.messageId,
    Date: options.date,
    'In-Reply-To': inReplyTo,
    References: inReplyTo,
    // RFC 3834: an automatic answer; clients and autoresponders must not answer it again.
    'Auto-Submitted': 'auto-replied',
    ...options.headers,
  });

  const human = [
    `Your ${channelName} message to +${number} ${words.en}.`,
    `Ihre ${channelName}-Nachricht an +${number} ${words.de}.`,
    '',
    `Message / Nachricht: ${callback.message_uuid}`,
    `Status: ${callback.status}`,
    '',
    `The status report is attached as ${callback.format.toUpperCase()} / Der Statusbericht liegt als ${callback.format.toUpperCase()} bei.`,
  ].join('\r\n');
  root.createChild('text/plain; charset=utf-8').setContent(human);

  const when = options.date.toUTCString().replace('GMT', '+0000');
  if (read) {
    root.createChild('message/disposition-notification').setContent(
      fields([
        ['Reporting-UA', `${options.domain}; statusrelay`],
        ['Final-Recipient', `rfc822; ${recipient}`],
        ['Original-Message-ID', inReplyTo],
        ['Disposition', 'automatic-action/MDN-sent-automatically; displayed'],
      ]),
    );
  } else {
    const delivered = callback.status === 'delivered';
    root.createChild('message/delivery-status').setContent(
      fields([['Reporting-MTA', `dns; ${options.domain}`]]) +
        '\r\n' +
        fields([
          ['Final-Recipient', `rfc822; ${recipient}`],
          ['Action', delivered ? 'delivered' : 'failed'],
          ['Status', delivered ? '2.0.0' : callback.status === 'undeliverable' ? '5.4.0' : '5.0.0'],
          ['Last-Attempt-Date', when],
          ['X-Statusrelay-Status', callback.status],
        ]),
    );
  }

  const attachment = root.createChild(callback.content_type, { filename: `status-${callback.id}.${callback.format}` });
  attachment.setHeader('Content-Disposition', 'attachment');
  attachment.setContent(callback.body);

  return { raw: await root.build() };
}

function fields(entries: Array<[string, string]>): string {
  return entries.map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

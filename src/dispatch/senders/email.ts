/**
 * Delivers callbacks by e-mail through one SMTP relay (nodemailer, pooled: opening a connection
 * costs a greeting, often TLS and AUTH, so connections are kept and reused). One mail per status
 * change; never throws.
 *
 * A mail carries the callback twice: as the text body, for a person, and as an attachment with
 * the exact bytes and content type, for a program. Its Message-ID is derived from the callback id,
 * so every retry of one callback is the same message to the receiving side. The Standard Webhooks
 * headers sign the attachment bytes, so a program can tell a genuine callback from a forged mail.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type { SmtpConfig } from './options.js';
import type { ClaimedCallback } from '../../store/store.js';
import type { Sender, SendOutcome } from '../sender.js';
import { classifySmtpFailure } from '../retry-policy.js';
import { signCallback } from '../signing.js';
import { buildReport, isReportCallback } from './email-report.js';

export interface EmailSenderOptions {
  smtp: SmtpConfig;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** `iss` claim of the JWT that signCallback also makes (not used in mail). */
  issuer: string;
  /** The e-mail interface's domain: receipts for its mails are standard reports (email-report.ts). */
  interfaceDomain?: string;
}

/** How much of the relay's reply is kept for the attempt log. */
const REPLY_CHARS = 200;
/** The signing headers that make sense in a mail; the JWT is meant for an HTTP Authorization header. */
const MAIL_SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];

export function createEmailSender(options: EmailSenderOptions): Sender {
  const { smtp } = options;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: smtp.poolSize,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
    tls: { rejectUnauthorized: smtp.tlsRejectUnauthorized },
    // nodemailer's defaults (2 min connect, 10 min socket) would hold a dispatch slot far too long.
    connectionTimeout: options.connectTimeoutMs,
    greetingTimeout: options.responseTimeoutMs,
    socketTimeout: options.responseTimeoutMs,
  });
  // SMTP_FROM may carry a display name: "Receipts <receipts@example.com>".
  const messageIdDomain = /@([^\s>]+)>?\s*$/.exec(smtp.from)?.[1] ?? 'statusrelay';

  async function send(callback: ClaimedCallback, now: number): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (callback.destination.type !== 'email') {
      return { verdict: 'failed', error: `not an e-mail destination: ${callback.destination.type}`, durationMs: 0 };
    }
    try {
      const signed = signCallback({ body: callback.body, callbackId: callback.id, now, jti: randomUUID(), signing: callback.signing, issuer: options.issuer });
      const headers = Object.fromEntries(MAIL_SIGNATURE_HEADERS.map((name) => [name, signed[name]!]));
      const messageId = `<${callback.id}@${messageIdDomain}>`;
      if (isReportCallback(callback)) {
        const report = await buildReport(callback, {
          from: smtp.from,
          domain: messageIdDomain,
          interfaceDomain: options.interfaceDomain ?? 'sms.localhost',
          messageId,
          date: new Date(now),
          headers,
        });
        // RFC 3464 / 8098: reports go out with the null reverse-path, so they never bounce back.
        await transport.sendMail({ envelope: { from: false as unknown as string, to: [callback.destination.address] }, raw: report.raw });
        return { verdict: 'delivered', durationMs: elapsed() };
      }
      await transport.sendMail({
        from: smtp.from,
        to: callback.destination.address,
        subject: subjectOf(callback),
        messageId,
        date: new Date(now),
        headers,
        text: callback.body,
        attachments: [{ filename: `status-${callback.id}.${callback.format}`, content: callback.body, contentType: callback.content_type }],
      });
      return { verdict: 'delivered', durationMs: elapsed() };
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
      const verdict = classifySmtpFailure(e.responseCode, e.code);
      const reply = shorten(e.response ?? e.message ?? String(err));
      const error = e.responseCode ? `SMTP ${e.responseCode}: ${reply}` : `${e.code ?? 'error'}: ${reply}`;
      return { verdict, error, durationMs: elapsed(), ...(e.responseCode ? { statusCode: e.responseCode } : {}) };
    }
  }

  return {
    send,
    async close() {
      transport.close();
    },
  };
}

/**
 * A subject a person can scan in a mailbox list: status first, then channel, recipient and the
 * message id to search for. A row without a headline shows `?` for channel and recipient.
 */
export function subjectOf(callback: Pick<ClaimedCallback, 'headline' | 'status' | 'message_uuid'>): string {
  const channel = callback.headline?.channel || '?';
  const to = callback.headline?.to || '?';
  return `[statusrelay] ${callback.status} · ${channel} · to ${to} · message ${callback.message_uuid}`;
}

function shorten(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, REPLY_CHARS);
}

/** The e-mail interface (server.ts): where its SMTP server listens and what it allows. */
import fs from 'node:fs';
import { ConfigError, flag, group, host, integer, port, type Env } from '../../ops/env.js';
import { httpUrlProblem } from '../../model/destination.js';

export interface EmailInterfaceConfig {
  /** 0 = the e-mail interface is off. */
  port: number;
  host: string;
  /** `<msisdn>@<domain>` sends an SMS, `<msisdn>@whatsapp.<domain>` a WhatsApp message. */
  domain: string;
  /** PEM key and certificate: STARTTLS is offered; absent: it is not. */
  tls?: { key: string; cert: string };
  /** AUTH over a connection without TLS (tests, trusted networks). */
  allowInsecureAuth: boolean;
  /** Recipients (messages) per e-mail. */
  maxRecipients: number;
  /** E-mails per account per minute. */
  ratePerMinute: number;
  /** Largest e-mail accepted (SIZE), bytes. */
  maxBytes: number;
  /** What the From of the SMS is when the account does not say: the sender id of e-mail SMS. */
  smsFrom: string;
  /** The sender id of WhatsApp messages sent by e-mail. */
  whatsappFrom: string;
  /**
   * Where the provider fetches images attached for WhatsApp: this service's HTTP API as the
   * provider reaches it (`PUBLIC_BASE_URL`); absent = attachments are refused.
   */
  mediaBaseUrl?: string;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export function readEmailInterfaceOptions(env: Env): EmailInterfaceConfig {
  const domain = (env.EMAIL_INTERFACE_DOMAIN || 'sms.localhost').toLowerCase();
  if (!DOMAIN.test(domain)) throw new ConfigError('EMAIL_INTERFACE_DOMAIN', 'must be a domain name', domain);
  const tlsFiles = group(env, ['EMAIL_INTERFACE_TLS_CERT', 'EMAIL_INTERFACE_TLS_KEY']);
  return {
    port: port(env, 'EMAIL_INTERFACE_PORT', 2525),
    host: host(env, 'EMAIL_INTERFACE_HOST', '0.0.0.0'),
    domain,
    ...(tlsFiles
      ? { tls: { cert: pem(tlsFiles.EMAIL_INTERFACE_TLS_CERT, 'EMAIL_INTERFACE_TLS_CERT'), key: pem(tlsFiles.EMAIL_INTERFACE_TLS_KEY, 'EMAIL_INTERFACE_TLS_KEY') } }
      : {}),
    allowInsecureAuth: flag(env, 'EMAIL_INTERFACE_ALLOW_INSECURE_AUTH', false),
    maxRecipients: integer(env, 'EMAIL_INTERFACE_MAX_RECIPIENTS', 50, { min: 1, max: 1000 }),
    ratePerMinute: integer(env, 'EMAIL_INTERFACE_RATE_PER_MINUTE', 600, { min: 1 }),
    maxBytes: integer(env, 'EMAIL_INTERFACE_MAX_BYTES', 10 * 1024 * 1024, { min: 1024 }),
    smsFrom: env.EMAIL_INTERFACE_SMS_FROM || 'EMAIL',
    whatsappFrom: env.EMAIL_INTERFACE_WHATSAPP_FROM || '447700900000',
    ...(env.PUBLIC_BASE_URL ? { mediaBaseUrl: publicBaseUrl(env.PUBLIC_BASE_URL) } : {}),
  };
}

function publicBaseUrl(value: string): string {
  const problem = httpUrlProblem(value, null);
  if (problem) throw new ConfigError('PUBLIC_BASE_URL', problem, value);
  const url = new URL(value);
  if (url.search || url.hash) throw new ConfigError('PUBLIC_BASE_URL', 'must have no query or fragment', value);
  return value.replace(/\/+$/, '');
}

/** A PEM file path, or the PEM text itself. */
function pem(value: string, name: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (error) {
    throw new ConfigError(name, `must be a readable PEM file (${(error as NodeJS.ErrnoException).code})`, value);
  }
}

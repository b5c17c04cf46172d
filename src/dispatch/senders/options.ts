/** The SMTP relay behind e-mail destinations (email.ts) and the SQS clients (sqs.ts, sqs-clients.ts). */
import { ConfigError, flag, group, host, httpUrl, integer, port, type Env } from '../../ops/env.js';

/** The SMTP relay every e-mail callback goes through (nodemailer, pooled). */
export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless the relay offers STARTTLS (usually port 587). */
  requireTls: boolean;
  user?: string;
  password?: string;
  /** The From address; its domain also names the Message-IDs. */
  from: string;
  tlsRejectUnauthorized: boolean;
  /** Connections kept open to the relay. */
  poolSize: number;
}

/**
 * Amazon SQS. The service's own identity (these keys, else the SDK's default credential chain)
 * sends only for the accounts in `sharedIdentityAccounts`; other destinations carry their own
 * credentials, and assuming a destination's role is signed with the service's identity too.
 */
export interface SqsConfig {
  /** Region for queue URLs that do not name one (a custom endpoint). */
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** SQS_SHARED_IDENTITY_ACCOUNTS: account ids, or `*` for all; empty = every destination needs credentials. */
  sharedIdentityAccounts: string[];
  /** STS_ENDPOINT: where roles are assumed (AssumeRole); absent = the region's STS. */
  stsEndpoint?: string;
}

export function readSmtpOptions(env: Env): SmtpConfig {
  const secure = flag(env, 'SMTP_SECURE', false);
  const requireTls = flag(env, 'SMTP_STARTTLS', false);
  if (secure && requireTls) throw new ConfigError('SMTP_SECURE', '(implicit TLS) and SMTP_STARTTLS exclude each other: set one');
  const auth = group(env, ['SMTP_USER', 'SMTP_PASSWORD']);
  return {
    host: host(env, 'SMTP_HOST', 'localhost'),
    port: port(env, 'SMTP_PORT', secure ? 465 : 587, 1),
    secure,
    requireTls,
    ...(auth ? { user: auth.SMTP_USER, password: auth.SMTP_PASSWORD } : {}),
    from: env.SMTP_FROM || 'statusrelay@localhost',
    tlsRejectUnauthorized: flag(env, 'SMTP_TLS_REJECT_UNAUTHORIZED', true),
    poolSize: integer(env, 'SMTP_POOL_SIZE', 5, { min: 1 }),
  };
}

export function readSqsOptions(env: Env): SqsConfig {
  const keys = group(env, ['SQS_ACCESS_KEY_ID', 'SQS_SECRET_ACCESS_KEY']);
  return {
    region: env.SQS_REGION || env.AWS_REGION || 'us-east-1',
    ...(env.SQS_ENDPOINT ? { endpoint: env.SQS_ENDPOINT } : {}),
    ...(keys ? { accessKeyId: keys.SQS_ACCESS_KEY_ID, secretAccessKey: keys.SQS_SECRET_ACCESS_KEY } : {}),
    sharedIdentityAccounts: (env.SQS_SHARED_IDENTITY_ACCOUNTS ?? '').split(',').map((id) => id.trim()).filter((id) => id !== ''),
    ...(env.STS_ENDPOINT ? { stsEndpoint: httpUrl(env, 'STS_ENDPOINT') } : {}),
  };
}

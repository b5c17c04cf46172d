/**
 * All settings, read from the environment once at start, validated, defaulted and frozen.
 * No other module reads process.env. The README lists every variable.
 */
import path from 'node:path';
import { CHANNELS, type Channel } from './model/vocabulary.js';

export type { RetryConfig } from './model/retry.js';
import type { RetryConfig } from './model/retry.js';

export interface DispatchConfig {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** In-flight attempts per destination (origin, queue, the SMTP relay) in one process. */
  perDestinationConcurrency: number;
  /** In-flight attempts in one process across all destinations. */
  maxInFlight: number;
  /** Callbacks claimed per round trip to the store. */
  claimBatch: number;
  /** Idle poll interval; new outbox rows wake the loop sooner. */
  pollMs: number;
  /** How long a claim holds a callback; a process that dies frees its callbacks after this. */
  leaseMs: number;
  retry: RetryConfig;
}

export interface SimulatorConfig {
  seed: number;
  /** Multiplies every simulated delay: 1 = realistic seconds, 0.01 = a hundred times faster. */
  timeScale: number;
}

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

/** Amazon SQS. Without keys the SDK's default credential chain applies. */
export interface SqsConfig {
  /** Region for queue URLs that do not name one (a custom endpoint). */
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Which connector carries a channel. */
export type CarrierKind = 'simulator' | 'smpp' | 'whatsapp' | 'upstream';

/** An SMSC reached over SMPP 3.4 (SMSC_URL and the SMSC_* settings). */
export interface SmppConfig {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType: string;
  /** 0x34 = SMPP 3.4. */
  interfaceVersion: number;
  /** Source address TON/NPI; undefined = chosen per sender (alphanumeric 5/0, numeric 1/1). */
  sourceTon?: number;
  sourceNpi?: number;
  destTon: number;
  destNpi: number;
  /** 1 = receipt on success or failure, 2 = on failure only, 0 = none. */
  registeredDelivery: number;
  /** Unacknowledged submit_sm allowed at once. */
  window: number;
  enquireLinkMs: number;
  /** Reconnect backoff: first wait, doubling up to the cap, with jitter. */
  reconnect: RetryConfig;
  /** Pause after ESME_RTHROTTLED / ESME_RMSGQFUL before submitting again (doubles while it lasts). */
  throttleMs: number;
  /** A message that could not be handed to the SMSC for this long becomes undeliverable. */
  patienceMs: number;
  /** A receipt whose message id is not known yet waits this long for its submit_sm_resp. */
  receiptHoldMs: number;
  /** After the first part of a multipart SMS reported, the others get this long (then 1490). */
  segmentTimeoutMs: number;
}

/** The WhatsApp Business Cloud API (WHATSAPP_*). */
export interface WhatsAppConfig {
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  phoneNumberId: string;
  /** Signs the status webhooks (X-Hub-Signature-256). */
  appSecret: string;
  /** Answers the GET subscription handshake. */
  verifyToken: string;
}

/** Another platform's Messages API that statusrelay sends through (UPSTREAM_*). */
export interface UpstreamConfig {
  baseUrl: string;
  auth: { kind: 'basic'; apiKey: string; apiSecret: string } | { kind: 'jwt'; applicationId: string; privateKey: string };
  /** Verifies the JWT of its status callbacks. */
  signatureSecret: string;
}

/** Settings shared by the HTTP provider connectors (WhatsApp, upstream). */
export interface ProviderHttpConfig {
  timeoutMs: number;
  /** Retries of a failed submission back off like callbacks do, for at most patienceMs. */
  retry: RetryConfig;
  patienceMs: number;
  /** A webhook for an id not stored yet waits this long for the send answer that names it. */
  holdMs: number;
}

export interface ProvidersConfig {
  /** Every channel's connector; unconfigured channels stay on the simulator. */
  carriers: Record<Channel, CarrierKind>;
  smpp?: SmppConfig;
  whatsapp?: WhatsAppConfig;
  upstream?: UpstreamConfig;
  http: ProviderHttpConfig;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL: connections in each node's pool (the LISTEN connection comes on top). */
  databasePoolSize: number;
  logLevel: string;
  bodyLimitBytes: number;
  /** Base of the `error.type` URLs in callbacks. */
  errorTypeBase: string;
  /** `iss` claim of the callback JWT. */
  jwtIssuer: string;
  dispatch: DispatchConfig;
  simulator: SimulatorConfig;
  /** How often TTL expiry is checked. */
  ttlSweepMs: number;
  smtp: SmtpConfig;
  sqs: SqsConfig;
  providers: ProvidersConfig;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function smtpConfig(env: Env): SmtpConfig {
  const secure = flag(env, 'SMTP_SECURE', false);
  const requireTls = flag(env, 'SMTP_STARTTLS', false);
  if (secure && requireTls) throw new Error('SMTP_SECURE (implicit TLS) and SMTP_STARTTLS exclude each other: set one');
  if (!env.SMTP_USER !== !env.SMTP_PASSWORD) throw new Error('SMTP_USER and SMTP_PASSWORD go together: set both or neither');
  return {
    host: env.SMTP_HOST || 'localhost',
    port: integer(env, 'SMTP_PORT', secure ? 465 : 587, 1),
    secure,
    requireTls,
    ...(env.SMTP_USER ? { user: env.SMTP_USER, password: env.SMTP_PASSWORD } : {}),
    from: env.SMTP_FROM || 'statusrelay@localhost',
    tlsRejectUnauthorized: flag(env, 'SMTP_TLS_REJECT_UNAUTHORIZED', true),
    poolSize: integer(env, 'SMTP_POOL_SIZE', 5, 1),
  };
}

function sqsConfig(env: Env): SqsConfig {
  if (!env.SQS_ACCESS_KEY_ID !== !env.SQS_SECRET_ACCESS_KEY) {
    throw new Error('SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY go together: set both or neither');
  }
  return {
    region: env.SQS_REGION || env.AWS_REGION || 'us-east-1',
    ...(env.SQS_ENDPOINT ? { endpoint: env.SQS_ENDPOINT } : {}),
    ...(env.SQS_ACCESS_KEY_ID ? { accessKeyId: env.SQS_ACCESS_KEY_ID, secretAccessKey: env.SQS_SECRET_ACCESS_KEY } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  for (const child of Object.values(value as object)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const databaseUrl = env.DATABASE_URL || `file:${path.join(cwd, 'data', 'statusrelay.db')}`;
  if (!/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new Error(`DATABASE_URL must start with file: or postgres://, got "${databaseUrl}"`);
  }
  const connectTimeoutMs = integer(env, 'CONNECT_TIMEOUT_MS', 3_000, 1);
  const responseTimeoutMs = integer(env, 'RESPONSE_TIMEOUT_MS', 15_000, 1);
  return deepFreeze({
    port: integer(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024),
    errorTypeBase: env.ERROR_TYPE_BASE || 'https://developer.vonage.com/api-errors/messages',
    jwtIssuer: env.JWT_ISSUER || 'statusrelay',
    dispatch: {
      connectTimeoutMs,
      responseTimeoutMs,
      perDestinationConcurrency: integer(env, 'DESTINATION_CONCURRENCY', 64, 1),
      maxInFlight: integer(env, 'MAX_IN_FLIGHT', 1_024, 1),
      claimBatch: integer(env, 'CLAIM_BATCH', 256, 1),
      pollMs: integer(env, 'DISPATCH_POLL_MS', 1_000, 1),
      // Outlives the slowest attempt plus one wait in a destination's local queue.
      leaseMs: integer(env, 'LEASE_MS', 2 * (connectTimeoutMs + responseTimeoutMs) + 30_000, 1),
      retry: {
        baseMs: integer(env, 'RETRY_BASE_MS', 5_000, 1),
        capMs: integer(env, 'RETRY_CAP_MS', 15 * 60_000, 1),
        windowMs: integer(env, 'RETRY_WINDOW_MS', 24 * 3_600_000, 1),
        jitter: decimal(env, 'RETRY_JITTER', 0.2, 0, 1),
      },
    },
    simulator: {
      seed: integer(env, 'SIMULATOR_SEED', 1),
      timeScale: decimal(env, 'SIMULATOR_TIME_SCALE', 1, 0, 1_000),
    },
    ttlSweepMs: integer(env, 'TTL_SWEEP_MS', 1_000, 1),
    smtp: smtpConfig(env),
    sqs: sqsConfig(env),
    providers: loadProviders(env),
  });
}

/** Reads a group of settings that must be given together; undefined when none of them is. */
function group(env: Env, names: string[], what: string): Record<string, string> | undefined {
  const given = names.filter((name) => env[name]);
  if (given.length === 0) return undefined;
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`${what} needs ${missing.join(', ')} as well (${given.join(', ')} given)`);
  return Object.fromEntries(names.map((name) => [name, env[name] as string]));
}

function httpBase(env: Env, name: string, fallback?: string): string {
  const raw = env[name] || fallback || '';
  if (!/^https?:\/\/[^/]/.test(raw)) throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function optionalInteger(env: Env, name: string, max: number): number | undefined {
  if (!env[name]) return undefined;
  const value = integer(env, name, 0);
  if (value > max) throw new Error(`${name} must be at most ${max}, got "${env[name]}"`);
  return value;
}

function loadSmpp(env: Env): SmppConfig | undefined {
  const raw = env.SMSC_URL;
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('SMSC_URL must look like smpp://system_id:password@host:port');
  }
  if (url.protocol !== 'smpp:' || !url.hostname || !url.username) {
    throw new Error('SMSC_URL must look like smpp://system_id:password@host:port');
  }
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 2775,
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    systemType: env.SMSC_SYSTEM_TYPE ?? '',
    interfaceVersion: integer(env, 'SMSC_INTERFACE_VERSION', 0x34),
    sourceTon: optionalInteger(env, 'SMSC_SOURCE_TON', 6),
    sourceNpi: optionalInteger(env, 'SMSC_SOURCE_NPI', 18),
    destTon: optionalInteger(env, 'SMSC_DEST_TON', 6) ?? 1,
    destNpi: optionalInteger(env, 'SMSC_DEST_NPI', 18) ?? 1,
    registeredDelivery: optionalInteger(env, 'SMSC_REGISTERED_DELIVERY', 2) ?? 1,
    window: integer(env, 'SMSC_WINDOW', 10, 1),
    enquireLinkMs: integer(env, 'SMSC_ENQUIRE_LINK_MS', 30_000, 100),
    reconnect: {
      baseMs: integer(env, 'SMSC_RECONNECT_BASE_MS', 1_000, 1),
      capMs: integer(env, 'SMSC_RECONNECT_CAP_MS', 60_000, 1),
      windowMs: Number.POSITIVE_INFINITY,
      jitter: 0.2,
    },
    throttleMs: integer(env, 'SMSC_THROTTLE_MS', 1_000, 1),
    patienceMs: integer(env, 'SMSC_PATIENCE_MS', 10 * 60_000, 1),
    receiptHoldMs: integer(env, 'SMSC_RECEIPT_HOLD_MS', 5_000, 0),
    segmentTimeoutMs: integer(env, 'SMSC_SEGMENT_TIMEOUT_MS', 3_600_000, 1),
  };
}

function loadWhatsApp(env: Env): WhatsAppConfig | undefined {
  const names = ['WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'];
  const given = group(env, names, 'The WhatsApp Cloud API');
  if (!given) return undefined;
  return {
    baseUrl: httpBase(env, 'WHATSAPP_BASE_URL', 'https://graph.facebook.com'),
    apiVersion: env.WHATSAPP_API_VERSION || 'v21.0',
    accessToken: given.WHATSAPP_ACCESS_TOKEN,
    phoneNumberId: given.WHATSAPP_PHONE_NUMBER_ID,
    appSecret: given.WHATSAPP_APP_SECRET,
    verifyToken: given.WHATSAPP_VERIFY_TOKEN,
  };
}

function loadUpstream(env: Env): UpstreamConfig | undefined {
  if (!env.UPSTREAM_MESSAGES_URL) return undefined;
  if (!env.UPSTREAM_SIGNATURE_SECRET) throw new Error('UPSTREAM_MESSAGES_URL needs UPSTREAM_SIGNATURE_SECRET to verify its callbacks');
  const basic = group(env, ['UPSTREAM_API_KEY', 'UPSTREAM_API_SECRET'], 'Basic auth to the upstream');
  const jwt = group(env, ['UPSTREAM_APPLICATION_ID', 'UPSTREAM_PRIVATE_KEY'], 'JWT auth to the upstream');
  if (!basic === !jwt) {
    throw new Error('UPSTREAM_MESSAGES_URL needs either UPSTREAM_API_KEY + UPSTREAM_API_SECRET or UPSTREAM_APPLICATION_ID + UPSTREAM_PRIVATE_KEY');
  }
  return {
    baseUrl: httpBase(env, 'UPSTREAM_MESSAGES_URL'),
    auth: basic
      ? { kind: 'basic', apiKey: basic.UPSTREAM_API_KEY, apiSecret: basic.UPSTREAM_API_SECRET }
      : // A PEM in one environment line usually has its newlines written as \n.
        { kind: 'jwt', applicationId: jwt!.UPSTREAM_APPLICATION_ID, privateKey: jwt!.UPSTREAM_PRIVATE_KEY.replace(/\\n/g, '\n') },
    signatureSecret: env.UPSTREAM_SIGNATURE_SECRET,
  };
}

/**
 * Which connector carries each channel: the SMSC takes sms, the Cloud API whatsapp, the
 * upstream the channels in UPSTREAM_CHANNELS (default: every channel nobody else took), the
 * simulator the rest. Naming a channel for two connectors is a mistake worth stopping for.
 */
function assignCarriers(env: Env, taken: Partial<Record<Channel, CarrierKind>>, upstream: boolean): Record<Channel, CarrierKind> {
  const listed = (env.UPSTREAM_CHANNELS ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (listed.length > 0 && !upstream) throw new Error('UPSTREAM_CHANNELS is set but UPSTREAM_MESSAGES_URL is not');
  for (const channel of listed) {
    if (!(CHANNELS as readonly string[]).includes(channel)) throw new Error(`UPSTREAM_CHANNELS: unknown channel "${channel}"`);
    const other = taken[channel as Channel];
    if (other) throw new Error(`UPSTREAM_CHANNELS names ${channel}, which ${other} already carries`);
  }
  const upstreamChannels = listed.length > 0 ? listed : upstream ? CHANNELS.filter((c) => !taken[c]) : [];
  return Object.fromEntries(
    CHANNELS.map((channel) => [channel, taken[channel] ?? (upstreamChannels.includes(channel) ? 'upstream' : 'simulator')]),
  ) as Record<Channel, CarrierKind>;
}

function loadProviders(env: Env): ProvidersConfig {
  const smpp = loadSmpp(env);
  const whatsapp = loadWhatsApp(env);
  const upstream = loadUpstream(env);
  const taken: Partial<Record<Channel, CarrierKind>> = {};
  if (smpp) taken.sms = 'smpp';
  if (whatsapp) taken.whatsapp = 'whatsapp';
  return {
    carriers: assignCarriers(env, taken, upstream !== undefined),
    ...(smpp ? { smpp } : {}),
    ...(whatsapp ? { whatsapp } : {}),
    ...(upstream ? { upstream } : {}),
    http: {
      timeoutMs: integer(env, 'PROVIDER_TIMEOUT_MS', 10_000, 1),
      retry: { baseMs: integer(env, 'PROVIDER_RETRY_BASE_MS', 1_000, 1), capMs: 60_000, windowMs: Number.POSITIVE_INFINITY, jitter: 0.2 },
      patienceMs: integer(env, 'PROVIDER_PATIENCE_MS', 10 * 60_000, 1),
      holdMs: integer(env, 'PROVIDER_HOLD_MS', 5_000, 0),
    },
  };
}

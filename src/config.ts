/**
 * All settings, read from the environment once at start, validated, defaulted and frozen.
 * No other module reads process.env. The README lists every variable.
 */
import path from 'node:path';

export interface RetryConfig {
  /** First retry after this many ms; each further retry doubles it. */
  baseMs: number;
  /** The interval never grows past this. */
  capMs: number;
  /** After this long since the callback was created it is dead-lettered. */
  windowMs: number;
  /** Fraction of each interval drawn at random (0.2 = ±20%). */
  jitter: number;
}

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
  });
}

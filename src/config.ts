/**
 * All settings, read from the environment once at start, validated, defaulted and frozen.
 * Each part reads its own variables in its options.ts; this module puts them together. No
 * other module reads process.env. The README lists every variable.
 */
import { integer, oneOf, type Env } from './ops/env.js';
import { readApiOptions, type ApiConfig } from './intake/api/options.js';
import { readEmailInterfaceOptions, type EmailInterfaceConfig } from './intake/email/options.js';
import { readStoreOptions, type StoreConfig } from './store/options.js';
import { readDispatchOptions, type DispatchConfig } from './dispatch/options.js';
import { readSmtpOptions, readSqsOptions, type SmtpConfig, type SqsConfig } from './dispatch/senders/options.js';
import { readSmppServerOptions, type SmppServerConfig } from './intake/smpp/options.js';
import { readDestinationGuardOptions, type DestinationGuardConfig } from './dispatch/senders/guard-options.js';
import { readProvidersOptions, readSimulatorOptions, type ProvidersConfig, type SimulatorConfig } from './carriage/options.js';

// For the tests that import it from here.
export type { SmppConfig } from './carriage/smpp/options.js';

/** pino's level names. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** port, host, bodyLimitBytes, metrics and apiRateLimit come from ApiConfig; databaseUrl, databasePoolSize, sqliteSynchronous, sqliteCacheMib, retention and secrets from StoreConfig. */
export interface Config extends ApiConfig, StoreConfig {
  logLevel: string;
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
  /** The e-mail interface (an SMTP server); port 0 = off. */
  emailInterface: EmailInterfaceConfig;
  /** The SMPP server customers bind to (intake/smpp). */
  smppServer: SmppServerConfig;
  /** ALLOWED_DESTINATION_NETWORKS: what the destination guard lets through after all. */
  destinationGuard: DestinationGuardConfig;
}

function deepFreeze<T>(value: T): T {
  for (const child of Object.values(value as object)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}

/** Throws a ConfigError (src/ops/env.ts) naming the first variable that cannot work. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const { port, host, bodyLimitBytes, metrics, apiRateLimit } = readApiOptions(env);
  const { databaseUrl, databasePoolSize, sqliteSynchronous, sqliteCacheMib, retention, secrets } = readStoreOptions(env, cwd);
  return deepFreeze({
    port,
    host,
    databaseUrl,
    databasePoolSize,
    sqliteSynchronous,
    sqliteCacheMib,
    retention,
    secrets,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimitBytes,
    metrics,
    apiRateLimit,
    errorTypeBase: env.ERROR_TYPE_BASE || 'https://developer.vonage.com/api-errors/messages',
    jwtIssuer: env.JWT_ISSUER || 'statusrelay',
    dispatch: readDispatchOptions(env),
    simulator: readSimulatorOptions(env),
    ttlSweepMs: integer(env, 'TTL_SWEEP_MS', 1_000, { min: 1 }),
    smtp: readSmtpOptions(env),
    sqs: readSqsOptions(env),
    providers: readProvidersOptions(env),
    emailInterface: readEmailInterfaceOptions(env),
    smppServer: readSmppServerOptions(env, host),
    destinationGuard: readDestinationGuardOptions(env),
  });
}

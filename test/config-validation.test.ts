/**
 * A setting that cannot work stops the start with one line naming the variable and the reason;
 * the defaults and the values at the edges of each rule are accepted.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../src/config.js';
import { ConfigError } from '../src/ops/env.js';

const WA = { WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v' };

// Anchored at ^: every message starts with the variable's name.
const refused: Array<[env: Record<string, string>, message: RegExp]> = [
  [{ PORT: '70000' }, /^PORT must be an integer from 0 to 65535, got "70000"$/],
  [{ PORT: '-1' }, /^PORT must be an integer from 0 to 65535, got "-1"$/],
  [{ PORT: '80.5' }, /^PORT must be an integer/],
  [{ HOST: 'bad host!' }, /^HOST must be an IP address or a hostname, got "bad host!"$/],
  [{ HOST: '300.1.1.1' }, /^HOST must be an IP address or a hostname/],
  [{ HOST: '-relay.example' }, /^HOST must be an IP address or a hostname/],
  [{ HOST: 'relay\nexample' }, /^HOST must be an IP address or a hostname, got "relay\\nexample"$/],
  [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/],
  [{ LOG_LEVEL: 'INFO' }, /^LOG_LEVEL must be one of/],
  [{ LEASE_MS: '10' }, /^LEASE_MS must be greater than CONNECT_TIMEOUT_MS \+ RESPONSE_TIMEOUT_MS \(18000\), got "10"$/],
  [{ CONNECT_TIMEOUT_MS: '1000', RESPONSE_TIMEOUT_MS: '2000', LEASE_MS: '3000' }, /^LEASE_MS must be greater than .* \(3000\), got "3000"$/],
  [{ SMTP_PORT: '-1' }, /^SMTP_PORT must be an integer from 1 to 65535, got "-1"$/],
  [{ SMTP_PORT: '0' }, /^SMTP_PORT must be an integer from 1 to 65535/],
  [{ SMTP_PORT: '65536' }, /^SMTP_PORT must be an integer from 1 to 65535/],
  [{ SMTP_HOST: 'smtp relay' }, /^SMTP_HOST must be an IP address or a hostname/],
  [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be file:<path> or postgres:\/\/…, got "mysql:\/\/x"$/],
  [{ DATABASE_URL: 'file:' }, /^DATABASE_URL must be file:<path>/],
  [{ DATABASE_POOL_SIZE: '0' }, /^DATABASE_POOL_SIZE must be an integer >= 1, got "0"$/],
  [{ SQLITE_CACHE_MIB: '0' }, /^SQLITE_CACHE_MIB must be an integer from 1 to 65536, got "0"$/],
  [{ METRICS_TOKEN: 'short' }, /^METRICS_TOKEN must be at least 16 visible ASCII characters \(the value is not shown\)$/],
  [{ RETENTION_DAYS: '-1' }, /^RETENTION_DAYS must be an integer from 0 to 3650, got "-1"$/],
  [{ PUBLIC_BASE_URL: 'relay.example.com' }, /^PUBLIC_BASE_URL must be an absolute http or https URL/],
  [{ BODY_LIMIT_BYTES: '100' }, /^BODY_LIMIT_BYTES must be an integer >= 1024/],
  [{ RETRY_JITTER: '2' }, /^RETRY_JITTER must be a number from 0 to 1, got "2"$/],
  [{ TTL_SWEEP_MS: 'soon' }, /^TTL_SWEEP_MS must be an integer >= 1, got "soon"$/],
  [{ ...WA, WHATSAPP_BASE_URL: 'graph.facebook.com' }, /^WHATSAPP_BASE_URL must be an http\(s\) URL/],
  [{ WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_APP_SECRET: 's' }, /^WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET need WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_VERIFY_TOKEN as well: set all or none$/],
  [{ SMSC_URL: 'smpp://relay:pw@smsc:70000' }, /^SMSC_URL must look like smpp:\/\/system_id:password@host:port$/],
  [{ SMSC_URL: 'smpp://relay:pw@smsc', SMSC_DEST_TON: '7' }, /^SMSC_DEST_TON must be an integer from 0 to 6, got "7"$/],
  [{ EMAIL_INTERFACE_PORT: '65536' }, /^EMAIL_INTERFACE_PORT must be an integer from 0 to 65535, got "65536"$/],
  [{ EMAIL_INTERFACE_DOMAIN: 'not a domain' }, /^EMAIL_INTERFACE_DOMAIN must be a domain name, got "not a domain"$/],
  [{ EMAIL_INTERFACE_TLS_CERT: '/tmp/cert.pem' }, /^EMAIL_INTERFACE_TLS_CERT needs EMAIL_INTERFACE_TLS_KEY as well/],
  [{ EMAIL_INTERFACE_TLS_CERT: '/nonexistent/cert.pem', EMAIL_INTERFACE_TLS_KEY: '/nonexistent/key.pem' }, /^EMAIL_INTERFACE_TLS_CERT must be a readable PEM file \(ENOENT\)/],
  [{ EMAIL_INTERFACE_ALLOW_INSECURE_AUTH: 'yes' }, /^EMAIL_INTERFACE_ALLOW_INSECURE_AUTH must be true or false/],
  [{ EMAIL_INTERFACE_MAX_RECIPIENTS: '0' }, /^EMAIL_INTERFACE_MAX_RECIPIENTS must be an integer from 1 to 1000/],
];
for (const [env, message] of refused) {
  test(`refused: ${JSON.stringify(env)}`, () => {
    assert.throws(
      () => loadConfig(env, '/srv/statusrelay'),
      (error) => error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'),
    );
  });
}

test('a refused URL is shown without its password', () => {
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://relay:s3cret@db/relay' }), (error: Error) => {
    assert.equal(error.message, 'DATABASE_URL must be file:<path> or postgres://…, got "mysql://relay:***@db/relay"');
    return true;
  });
});

const accepted: Array<[env: Record<string, string>, read: (config: Config) => unknown, expected: unknown]> = [
  [{ PORT: '0' }, (c) => c.port, 0],
  [{ PORT: '65535' }, (c) => c.port, 65_535],
  [{ HOST: '::1' }, (c) => c.host, '::1'],
  [{ HOST: '127.0.0.1' }, (c) => c.host, '127.0.0.1'],
  [{ HOST: 'relay-1.internal.' }, (c) => c.host, 'relay-1.internal.'],
  [{ SMTP_HOST: 'smtp_relay' }, (c) => c.smtp.host, 'smtp_relay'],
  [{ SMTP_PORT: '65535' }, (c) => c.smtp.port, 65_535],
  [{ LOG_LEVEL: 'silent' }, (c) => c.logLevel, 'silent'],
  [{ CONNECT_TIMEOUT_MS: '1000', RESPONSE_TIMEOUT_MS: '2000', LEASE_MS: '3001' }, (c) => c.dispatch.leaseMs, 3_001],
  [{ DATABASE_URL: 'postgresql://u:p@db:5432/relay' }, (c) => c.databaseUrl, 'postgresql://u:p@db:5432/relay'],
  [{ DATABASE_URL: 'file:/var/lib/relay.db' }, (c) => c.databaseUrl, 'file:/var/lib/relay.db'],
  [{ SQLITE_CACHE_MIB: '16' }, (c) => c.sqliteCacheMib, 16],
];
for (const [env, read, expected] of accepted) {
  test(`accepted: ${JSON.stringify(env)}`, () => assert.equal(read(loadConfig(env)), expected));
}

test('defaults, deeply frozen', () => {
  const config = loadConfig({}, '/srv/statusrelay');
  const retry = { baseMs: 5_000, capMs: 900_000, windowMs: 86_400_000, jitter: 0.2 };
  const allSimulated = { sms: 'simulator', mms: 'simulator', rcs: 'simulator', whatsapp: 'simulator', viber_service: 'simulator', messenger: 'simulator' };
  assert.deepEqual(config, {
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: 'file:/srv/statusrelay/data/statusrelay.db',
    databasePoolSize: 10,
    sqliteSynchronous: 'full',
    sqliteCacheMib: 64,
    retention: { days: 30, batch: 500, intervalMs: 60_000 },
    secrets: { previousKeys: [], keyFile: '/srv/statusrelay/data/secrets.key' },
    logLevel: 'info',
    bodyLimitBytes: 65_536,
    metrics: { port: 0, host: '127.0.0.1' },
    apiRateLimit: 1000,
    errorTypeBase: 'https://developer.vonage.com/api-errors/messages',
    jwtIssuer: 'statusrelay',
    dispatch: { connectTimeoutMs: 3_000, responseTimeoutMs: 15_000, perDestinationConcurrency: 64, maxInFlight: 1_024, accountMaxInFlight: 256, claimBatch: 256, pollMs: 1_000, leaseMs: 66_000, retry, breaker: { threshold: 10, firstOpenMs: 1_000, maxOpenMs: 60_000 } },
    simulator: { seed: 1, timeScale: 1 },
    ttlSweepMs: 1_000,
    smtp: { host: 'localhost', port: 587, secure: false, requireTls: false, from: 'statusrelay@localhost', tlsRejectUnauthorized: true, poolSize: 5 },
    sqs: { region: 'us-east-1', sharedIdentityAccounts: [] },
    providers: {
      carriers: allSimulated,
      http: { timeoutMs: 10_000, retry: { baseMs: 1_000, capMs: 60_000, windowMs: Number.POSITIVE_INFINITY, jitter: 0.2 }, patienceMs: 600_000, holdMs: 5_000 },
    },
    emailInterface: {
      port: 2525, host: '0.0.0.0', domain: 'sms.localhost', allowInsecureAuth: false, maxRecipients: 50, ratePerMinute: 600,
      maxBytes: 10_485_760, smsFrom: 'EMAIL', whatsappFrom: '447700900000',
    },
    smppServer: { port: 2775, host: '0.0.0.0', idleMs: 60_000, window: 10, responseTimeoutMs: 10_000, throttleMs: 1_000, concatTimeoutMs: 30_000 },
    destinationGuard: { allowedNetworks: [] },
  });
  assert.ok(Object.isFrozen(config.dispatch.retry) && Object.isFrozen(config.providers.carriers));
});

const DIST = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

test('main.js with PORT=70000 exits 1 with one line on stderr, before opening the database', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'statusrelay.db');
  const result = spawnSync(process.execPath, [path.join(DIST, 'src', 'main.js')], {
    env: { PORT: '70000', DATABASE_URL: `file:${file}` },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 1);
  assert.equal(result.stderr, 'statusrelay: cannot start: PORT must be an integer from 0 to 65535, got "70000"\n');
  assert.equal(result.stdout, '');
  assert.equal(fs.existsSync(file), false);
});

test('cli.js with a bad DATABASE_URL exits 1 with one line on stderr', () => {
  const result = spawnSync(process.execPath, [path.join(DIST, 'src', 'cli.js'), 'account', 'create', '--name', 'x'], {
    env: { DATABASE_URL: 'mysql://x' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 1);
  assert.equal(result.stderr, 'statusrelay: cannot start: DATABASE_URL must be file:<path> or postgres://…, got "mysql://x"\n');
});

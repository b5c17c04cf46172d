/**
 * Runs a real statusrelay in the test process (port 0 on 127.0.0.1, its own database) and real
 * HTTP receivers that verify every callback with the two public verifiers.
 */
import type { TestContext } from 'node:test';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { verifySignature } from '@vonage/jwt';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.js';
import { createRelay, type Relay, type RelayOptions } from '../../src/relay.js';
import { createAccount, type Credentials } from '../../src/intake/accounts.js';
import { createAddressPolicy, parseCidrList } from '../../src/model/address.js';
import { POSTGRES_SKIP, freshPostgresUrl } from './postgres.js';
import { listenHttp } from './http.js';

/** The allowlist every test that calls back to 127.0.0.1 needs (ALLOWED_DESTINATION_NETWORKS). */
export const LOOPBACK_NETWORKS = '127.0.0.0/8,::1/128';

/** A destination guard policy letting loopback through, for tests that build senders directly. */
export const loopbackPolicy = () => createAddressPolicy(parseCidrList(LOOPBACK_NETWORKS));

/** Fast timings so retries, dead letters and simulated providers fit in a test run. */
export const FAST_ENV: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  SIMULATOR_TIME_SCALE: '0.01',
  RETRY_BASE_MS: '50',
  RETRY_CAP_MS: '200',
  RETRY_WINDOW_MS: '3000',
  RETRY_JITTER: '0',
  CONNECT_TIMEOUT_MS: '500',
  RESPONSE_TIMEOUT_MS: '500',
  DISPATCH_POLL_MS: '50',
  TTL_SWEEP_MS: '50',
  LEASE_MS: '3000',
  // Tests post as fast as they can from one account; the rate limit's own test sets it low.
  API_RATE_LIMIT: '1000000',
  // Retry tests count every attempt to a failing receiver; the breaker's own test turns it on.
  DESTINATION_BREAKER_FAILURES: '0',
  // Off unless a test starts it (startRelay's emailInterfaceOnPortZero: any free port).
  EMAIL_INTERFACE_PORT: '0',
  // No SMPP server unless a test asks for one (the default 2775 would collide between tests).
  SMPP_SERVER_PORT: '0',
  // Test receivers listen on 127.0.0.1; the destination guard's own tests set this to ''.
  ALLOWED_DESTINATION_NETWORKS: LOOPBACK_NETWORKS,
  // One tenant at a time: SQS destinations may go without credentials (sqs-credentials tests narrow it).
  SQS_SHARED_IDENTITY_ACCOUNTS: '*',
};

/** A fresh SQLite file in a temp folder. */
export function tempDatabaseUrl(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-test-'));
  return `file:${path.join(dir, 'statusrelay.db')}`;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface TestStore {
  kind: StoreKind;
  /** Set when this store cannot run here; pass it as the test's `skip` option (it is printed). */
  skip?: string;
  /** A fresh, empty database of this kind. */
  databaseUrl(): Promise<string>;
}

/**
 * The stores every store-dependent test runs on: loop over it and name each test after `kind`.
 * PostgreSQL needs TEST_DATABASE_URL (see helpers/postgres.ts).
 */
export function testStores(): TestStore[] {
  return [
    { kind: 'sqlite', databaseUrl: async () => tempDatabaseUrl() },
    { kind: 'postgres', skip: POSTGRES_SKIP, databaseUrl: freshPostgresUrl },
  ];
}

/** The store startRelay() uses when not told: TEST_STORE (sqlite or postgres), default sqlite. */
function defaultStore(): StoreKind {
  return process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface RunningRelay {
  relay: Relay;
  baseUrl: string;
  credentials: Credentials;
  auth: string;
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** `options.store` picks the store (default: TEST_STORE); the rest reach createRelay, e.g. a clock. */
export async function startRelay(
  env: Record<string, string> = {},
  options: RelayOptions & { store?: StoreKind } = {},
): Promise<RunningRelay> {
  const { store: kind, ...relayOptions } = options;
  const store = testStores().find((candidate) => candidate.kind === (kind ?? defaultStore()))!;
  const databaseUrl = env.DATABASE_URL ?? (await store.databaseUrl());
  const config = loadConfig({ ...FAST_ENV, ...env, DATABASE_URL: databaseUrl });
  const relay = await createRelay(config, relayOptions);
  const baseUrl = await relay.start();
  const credentials = await createAccount(relay.store, 'test account', Date.now());
  const auth = basicAuth(credentials);
  return {
    relay,
    baseUrl,
    credentials,
    auth,
    async api(method, url, body) {
      const response = await fetch(baseUrl + url, {
        method,
        headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? tryJson(text) : undefined };
    },
    stop: () => relay.stop(),
  };
}

export function basicAuth(credentials: { api_key: string; api_secret: string }): string {
  return 'Basic ' + Buffer.from(`${credentials.api_key}:${credentials.api_secret}`).toString('base64');
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface ReceivedCallback {
  body: string;
  json: any;
  headers: http.IncomingHttpHeaders;
  receivedAt: number;
  /** Both signatures checked with the public verifiers, payload_hash compared. */
  verified: boolean;
  verifyError?: string;
}

export interface Receiver {
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  secret?: string;
  answer?: (callback: ReceivedCallback, index: number) => number | 'hang';
  headers?: Record<string, string>;
}

/**
 * An HTTP receiver on 127.0.0.1. `answer` picks the status code for each request (default 200);
 * returning 'hang' never answers. With `secret`, every request is verified.
 */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const received: ReceivedCallback[] = [];
  const peer = await listenHttp((request, body, response) => {
    const callback: ReceivedCallback = { body, json: tryJson(body), headers: request.headers, receivedAt: Date.now(), verified: false };
    if (options.secret) {
      try {
        verifyCallback(body, request.headers, options.secret);
        callback.verified = true;
      } catch (error) {
        callback.verifyError = (error as Error).message;
      }
    }
    received.push(callback);
    const status = options.answer ? options.answer(callback, received.length - 1) : 200;
    if (status === 'hang') return;
    response.writeHead(status, options.headers ?? {});
    response.end();
  });
  return { url: `${peer.baseUrl}/callbacks`, received, close: peer.close };
}

/** A relay and a receiver for one test, both stopped when it ends; `receiver` may use the relay's credentials. */
export async function startRelayAndReceiver(
  t: TestContext,
  env: Record<string, string> = {},
  receiver: (relay: RunningRelay) => ReceiverOptions = () => ({}),
): Promise<{ relay: RunningRelay; receiver: Receiver }> {
  const relay = await startRelay(env);
  let started: Receiver | undefined;
  t.after(async () => {
    await relay.stop();
    await started?.close();
  });
  started = await startReceiver(receiver(relay));
  return { relay, receiver: started };
}

/** What a customer's receiver does: both public verifiers plus its own payload_hash check. */
export function verifyCallback(body: string, headers: http.IncomingHttpHeaders, secret: string): void {
  const token = String(headers.authorization ?? '').replace(/^Bearer /, '');
  if (!verifySignature(token, secret)) throw new Error('JWT signature does not verify');
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const hash = createHash('sha256').update(body).digest('hex');
  if (claims.payload_hash !== hash) throw new Error('payload_hash does not match the body');
  new Webhook(secret).verify(body, headers as Record<string, string>, { jsonParse: false } as never);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

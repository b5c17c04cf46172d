/**
 * A relay for the HTTP targets: the real composition (createRelay) on a fresh SQLite file, not
 * listening (requests go through Fastify's inject), on a clock whose timers never fire: no
 * simulated status arrives and nothing is dispatched during a run, so the store changes only
 * through the requests under test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { createRelay, type Relay } from '../src/relay.js';
import { createAccount, type Credentials } from '../src/intake/accounts.js';
import { systemClock, type Clock } from '../src/model/clock.js';
import type { CaseOutcome } from './harness.js';
import type { Message } from '../src/model/types.js';

/** The uuid of the one message startFuzzRelay stores for the account, so that some lookups find it. */
export const KNOWN_MESSAGE_UUID = '0190e0a0-0000-7000-8000-000000000001';

export interface FuzzRelay {
  relay: Relay;
  credentials: Credentials;
  /** `Authorization: Basic ...` of the account. */
  auth: string;
  /** A cheap summary of everything stored: row counts of every table and the accounts' rows. */
  fingerprint(): string;
  close(): Promise<void>;
}

/** Real time, timers that never fire (the relay's background work waits on them). */
const stillClock: Clock = { ...systemClock, setTimeout: () => ({}), clearTimeout: () => {} };

const BASE_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  PORT: '0',
  HOST: '127.0.0.1',
  API_RATE_LIMIT: '1000000',
  EMAIL_INTERFACE_PORT: '0',
  SMPP_SERVER_PORT: '0',
  // A webhook for an unknown id is parked at once instead of waiting for the id.
  PROVIDER_HOLD_MS: '0',
};

/** `known`: the channel and provider id of the account's one stored message. */
export async function startFuzzRelay(env: Record<string, string> = {}, known: { channel: Message['channel']; providerRef: string } = { channel: 'sms', providerRef: 'known-ref-1' }): Promise<FuzzRelay> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-fuzz-'));
  const file = path.join(dir, 'statusrelay.db');
  const relay = await createRelay(loadConfig({ ...BASE_ENV, ...env, DATABASE_URL: `file:${file}` }), { clock: stillClock });
  const credentials = await createAccount(relay.store, 'fuzz account', Date.now());
  const now = Date.now();
  await relay.store.insertMessages([
    { uuid: KNOWN_MESSAGE_UUID, account_id: credentials.account_id, interface: 'api', channel: known.channel, message_type: 'text', to: '436641234567', from: 'ACME', text: 'Hi', state: 'submitted', seen: ['submitted'], failover: [], created_at: now, updated_at: now },
  ]);
  await relay.store.setProviderRef(KNOWN_MESSAGE_UUID, known.providerRef);
  await relay.api.ready();
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  const tables = (reader.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>).map((row) => row.name);
  const counts = reader.prepare(`SELECT ${tables.map((table) => `(SELECT count(*) FROM "${table}") AS "${table}"`).join(', ')}`);
  const accounts = reader.prepare('SELECT * FROM accounts ORDER BY id');
  return {
    relay,
    credentials,
    auth: 'Basic ' + Buffer.from(`${credentials.api_key}:${credentials.api_secret}`).toString('base64'),
    fingerprint: () => JSON.stringify([counts.get(), accounts.all()]),
    async close() {
      reader.close();
      await relay.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * One HTTP case: the answer must not be a 5xx, and when `refused(answer)` says the input was
 * refused, the store must be as it was before the request.
 */
export async function checkRequest(
  fuzz: FuzzRelay,
  send: () => Promise<Answer>,
  refused: (answer: Answer) => boolean,
  documented: (answer: Answer) => string | undefined = () => undefined,
): Promise<CaseOutcome> {
  const before = fuzz.fingerprint();
  const answer = await send();
  const outcome: CaseOutcome = {};
  if (answer.statusCode >= 500) outcome.serverError = true;
  const undocumented = documented(answer);
  if (undocumented) outcome.crash = undocumented;
  if (refused(answer) && fuzz.fingerprint() !== before) outcome.refusedChangedStore = true;
  return outcome;
}

/** 4xx answers of the REST API are problem+json (README, "API"). */
export function problemJsonAnswer(answer: Answer): string | undefined {
  if (answer.statusCode < 400 || answer.statusCode >= 500) return undefined;
  const type = String(answer.headers['content-type'] ?? '');
  return type.startsWith('application/problem+json') ? undefined : `${answer.statusCode} answered as ${type || 'no content type'}: ${answer.body.slice(0, 100)}`;
}

export const isClientError = (answer: Answer) => answer.statusCode >= 400 && answer.statusCode < 500;

#!/usr/bin/env node
/**
 * Operator commands. `statusrelay account create --name <name>` prints new credentials as JSON;
 * `statusrelay parked [--limit <n>]` prints the newest provider reports that were parked
 * (unknown message id, unreadable receipt) as JSON lines. `statusrelay smpp-password reset
 * --account <account_id>` issues a new SMPP password (printed once, stored hashed).
 * `statusrelay account disable|enable --account <account_id>` stops or allows the account's logins.
 * `statusrelay secrets rotate-key` seals every stored secret again under a new key (README,
 * "Secrets at rest"). `statusrelay account limits --account <account_id> --api-rate <n|default>`
 * sets the account's REST API requests per second.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { ConfigError } from './ops/env.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { addKeyToFile } from './store/secret-keys.js';
import { createAccount, setAccountDisabled } from './intake/accounts.js';
import { resetSmppPassword } from './intake/smpp/credentials.js';

const USAGE = [
  'usage: statusrelay account create --name <name>',
  '       statusrelay account disable|enable --account <account_id>',
  '       statusrelay account limits --account <account_id> --api-rate <requests per second|default>',
  '       statusrelay parked [--limit <n>]',
  '       statusrelay smpp-password reset --account <account_id>',
  '       statusrelay secrets rotate-key',
].join('\n');

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, limit: { type: 'string' }, account: { type: 'string' }, 'api-rate': { type: 'string' } },
  });
  const command = positionals.join(' ');
  const accountId = values.account?.trim();
  const name = values.name?.trim();
  const limit = Number(values.limit ?? 100);
  if (command === 'account create' && name) return withStore((store) => printCreated(store, name));
  if (command === 'parked' && Number.isInteger(limit) && limit >= 1) return withStore((store) => listParked(store, limit));
  if (command === 'smpp-password reset' && accountId) return withStore((store) => resetPassword(store, accountId));
  if ((command === 'account disable' || command === 'account enable') && accountId) {
    return withStore((store) => disable(store, accountId, command === 'account disable'));
  }
  if (command === 'secrets rotate-key') return rotateKey();
  const apiRate = values['api-rate']?.trim() === 'default' ? null : Number(values['api-rate']);
  if (command === 'account limits' && accountId && (apiRate === null || (Number.isInteger(apiRate) && apiRate >= 1 && apiRate <= 1_000_000))) {
    return withStore((store) => setLimits(store, accountId, apiRate));
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

/** Runs a command on the configured database (migrated), with the configured secret keys. */
async function withStore(command: (store: Store) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl, { secrets: config.secrets });
  try {
    await store.migrate();
    return await command(store);
  } finally {
    await store.close();
  }
}

function print(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

function noAccount(accountId: string): number {
  process.stderr.write(`statusrelay: no account ${accountId}\n`);
  return 1;
}

async function printCreated(store: Store, name: string): Promise<number> {
  return print(await createAccount(store, name, Date.now()));
}

async function resetPassword(store: Store, accountId: string): Promise<number> {
  const issued = await resetSmppPassword(store, accountId, Date.now());
  return issued ? print({ account_id: accountId, ...issued }) : noAccount(accountId);
}

async function setLimits(store: Store, accountId: string, apiRate: number | null): Promise<number> {
  if (!(await store.getAccount(accountId))) return noAccount(accountId);
  await store.updateAccount(accountId, { api_rate_limit: apiRate });
  return print({ account_id: accountId, api_rate_limit: apiRate });
}

async function disable(store: Store, accountId: string, disabled: boolean): Promise<number> {
  return (await setAccountDisabled(store, accountId, disabled, Date.now())) ? print({ account_id: accountId, disabled }) : noAccount(accountId);
}

/**
 * With the key file: a new key goes on top of it, and every secret is sealed under it. With
 * SECRETS_KEY: the operator has set the new key (the old one in SECRETS_PREVIOUS_KEYS), and
 * every secret still under an old key is sealed under it.
 */
async function rotateKey(): Promise<number> {
  const { secrets } = loadConfig();
  if (!secrets.key) addKeyToFile(secrets.keyFile);
  return withStore(async (store) => print(await store.sealSecrets()));
}

async function listParked(store: Store, limit: number): Promise<number> {
  for (const report of await store.listParkedReports(limit)) process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2)).catch((error) => {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`statusrelay: ${error instanceof ConfigError ? 'cannot start: ' : ''}${reason}\n`);
  return 1;
});

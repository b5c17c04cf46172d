#!/usr/bin/env node
/**
 * Operator commands. `statusrelay account create --name <name>` prints new credentials as JSON;
 * `statusrelay parked [--limit <n>]` prints the newest provider reports that were parked
 * (unknown message id, unreadable receipt) as JSON lines. `statusrelay smpp-password reset
 * --account <account_id>` issues a new SMPP password (printed once, stored hashed).
 * `statusrelay secrets rotate-key` seals every stored secret again under a new key (README,
 * "Secrets at rest").
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { ConfigError } from './ops/env.js';
import { openStore } from './store/open.js';
import { addKeyToFile } from './store/secret-keys.js';
import { createAccount } from './intake/accounts.js';
import { resetSmppPassword } from './intake/smpp/credentials.js';

const USAGE =
  'usage: statusrelay account create --name <name> | statusrelay parked [--limit <n>] | statusrelay smpp-password reset --account <account_id> | statusrelay secrets rotate-key';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, limit: { type: 'string' }, account: { type: 'string' } },
  });
  if (positionals.join(' ') === 'parked') return listParked(Number(values.limit ?? 100));
  if (positionals.join(' ') === 'smpp-password reset') return resetPassword(values.account?.trim());
  if (positionals.join(' ') === 'secrets rotate-key') return rotateKey();
  if (positionals.join(' ') !== 'account create' || !values.name?.trim()) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const store = await openStore(loadConfig().databaseUrl);
  try {
    await store.migrate();
    const credentials = await createAccount(store, values.name.trim(), Date.now());
    process.stdout.write(`${JSON.stringify(credentials, null, 2)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function resetPassword(accountId: string | undefined): Promise<number> {
  if (!accountId) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const store = await openStore(loadConfig().databaseUrl);
  try {
    await store.migrate();
    const issued = await resetSmppPassword(store, accountId, Date.now());
    if (!issued) {
      process.stderr.write(`statusrelay: no account ${accountId}\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify({ account_id: accountId, ...issued }, null, 2)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * With the key file: a new key goes on top of it, and every secret is sealed under it. With
 * SECRETS_KEY: the operator has set the new key (the old one in SECRETS_PREVIOUS_KEYS), and
 * every secret still under an old key is sealed under it.
 */
async function rotateKey(): Promise<number> {
  const config = loadConfig();
  if (!config.secrets.key) addKeyToFile(config.secrets.keyFile);
  const store = await openStore(config.databaseUrl, { secrets: config.secrets });
  try {
    await store.migrate();
    process.stdout.write(`${JSON.stringify(await store.sealSecrets())}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function listParked(limit: number): Promise<number> {
  if (!Number.isInteger(limit) || limit < 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const store = await openStore(loadConfig().databaseUrl);
  try {
    await store.migrate();
    for (const report of await store.listParkedReports(limit)) process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error) => {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`statusrelay: ${error instanceof ConfigError ? 'cannot start: ' : ''}${reason}\n`);
  return 1;
});

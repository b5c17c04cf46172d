#!/usr/bin/env node
/**
 * Operator commands. `statusrelay account create --name <name>` prints new credentials as JSON;
 * `statusrelay parked [--limit <n>]` prints the newest provider reports that were parked
 * (unknown message id, unreadable receipt) as JSON lines. `statusrelay smpp-password reset
 * --account <account_id>` issues a new SMPP password (printed once, stored hashed).
 * `statusrelay user create --account <account_id> --email <e-mail>` adds a Messaging Suite user:
 * the password is read from standard input when one is piped in, else a one-time password is
 * printed (the user must replace it at the first sign-in).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { ConfigError } from './ops/env.js';
import { openStore } from './store/open.js';
import { createAccount } from './intake/accounts.js';
import { resetSmppPassword } from './intake/smpp/credentials.js';
import { createUser, UserError } from './intake/suite/users.js';

const USAGE =
  'usage: statusrelay account create --name <name> | statusrelay parked [--limit <n>] | statusrelay smpp-password reset --account <account_id>' +
  ' | statusrelay user create --account <account_id> --email <e-mail> [< password]';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, limit: { type: 'string' }, account: { type: 'string' }, email: { type: 'string' } },
  });
  if (positionals.join(' ') === 'user create') return createSuiteUser(values.account?.trim(), values.email?.trim());
  if (positionals.join(' ') === 'parked') return listParked(Number(values.limit ?? 100));
  if (positionals.join(' ') === 'smpp-password reset') return resetPassword(values.account?.trim());
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

async function createSuiteUser(accountId: string | undefined, email: string | undefined): Promise<number> {
  if (!accountId || !email) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const password = await readPipedPassword();
  const store = await openStore(loadConfig().databaseUrl);
  try {
    await store.migrate();
    const created = await createUser(store, { accountId, email, ...(password ? { password } : {}) }, Date.now());
    process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    process.stderr.write(`statusrelay: ${error.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

/** The first line piped to standard input, if any (a terminal is never read: it would wait). */
async function readPipedPassword(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const line = text.split(/\r?\n/)[0] ?? '';
  return line === '' ? undefined : line;
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

/**
 * PostgreSQL for tests. With TEST_DATABASE_URL (a postgres:// URL of a server the tests may
 * create databases on, e.g. from scripts/postgres-test-cluster.sh) every call of
 * freshPostgresUrl() creates a new, empty database and returns its URL: test files never
 * share tables, migrations or NOTIFY channels. Without it the PostgreSQL tests are skipped
 * with a printed reason, except in CI (CI=true), where a missing database is a failure.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const SERVER_URL = process.env.TEST_DATABASE_URL;
const IN_CI = process.env.CI === 'true';

/** Why PostgreSQL tests do not run here, or undefined when they do. Never set in CI. */
export const POSTGRES_SKIP: string | undefined =
  SERVER_URL || IN_CI
    ? undefined
    : 'PostgreSQL tests skipped: TEST_DATABASE_URL is not set (start a server with scripts/postgres-test-cluster.sh start)';

/** Creates an empty database on the test server and returns its URL. */
export async function freshPostgresUrl(): Promise<string> {
  if (!SERVER_URL) {
    throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI');
  }
  return createDatabase(SERVER_URL);
}

/** Creates an empty database named `<prefix>_<random>` on the server of `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, prefix = 'statusrelay_t'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // The name is made here from a fixed prefix and hex; identifiers cannot be bind parameters.
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Secrets, tokens, signatures and hashes are compared in constant time (model/same-secret.ts),
 * and nothing in src/ compares them with === or !==.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, test } from 'node:test';
import { sameSecret } from '../src/model/same-secret.js';
import { authenticateKey, createAccount } from '../src/intake/accounts.js';
import { authenticateSmpp } from '../src/intake/smpp/credentials.js';
import { openStore } from '../src/store/open.js';
import { testStores } from './helpers/relay.js';

describe('sameSecret', () => {
  const cases: Array<[unknown, string | Buffer, boolean]> = [
    ['whsec_abc', 'whsec_abc', true],
    ['whsec_abd', 'whsec_abc', false],
    ['whsec_ab', 'whsec_abc', false],
    ['whsec_abcd', 'whsec_abc', false],
    ['', 'whsec_abc', false],
    [Buffer.from('a1b2'), Buffer.from('a1b2'), true],
    [Buffer.from('a1b2'), 'a1b2', true],
    [undefined, 'x', false],
    [['x'], 'x', false],
    [{ toString: () => 'x' }, 'x', false],
  ];
  for (const [given, expected, same] of cases) {
    it(`${JSON.stringify(given)} vs ${JSON.stringify(String(expected))}: ${same}`, () => assert.equal(sameSecret(given, expected), same));
  }
});

for (const kind of testStores()) {
  test(`logins: an unknown key, a wrong secret and the right one (${kind.kind})`, { skip: kind.skip }, async () => {
    const store = await openStore(await kind.databaseUrl(), { poolSize: 2 });
    try {
      await store.migrate();
      const account = await createAccount(store, 'timing', Date.now());
      assert.equal((await authenticateKey(store, account.api_key, account.api_secret))?.id, account.account_id);
      assert.equal(await authenticateKey(store, account.api_key, account.api_secret + 'x'), undefined);
      assert.equal(await authenticateKey(store, 'unknownkey000000', account.api_secret), undefined);
      assert.equal((await authenticateSmpp(store, account.smpp_system_id, account.smpp_password))?.account_id, account.account_id);
      assert.equal(await authenticateSmpp(store, account.smpp_system_id, 'wrong'), undefined);
      assert.equal(await authenticateSmpp(store, 'sr000000000000', account.smpp_password), undefined);
    } finally {
      await store.close();
    }
  });
}

/** Comparisons that look like secrets but are not: the lease token is made and checked in-process. */
const NOT_SECRETS = ['callback.lease?.token !== leaseToken'];
const SENSITIVE = /(secret|token|hash|password|signature|api_?key)/i;
/** Compared with a constant (a literal starts with its quote), the value is not a secret being checked. */
// Literals and named constants (a marker like SECRET_SET) are no secrets.
const CONSTANT = /^(undefined|null|true|false|\d+|[A-Z][A-Z0-9_]+)$|^['"`]/;

test('no secret, token, signature or hash in src/ is compared with === or !==', () => {
  const root = fileURLToPath(new URL('../../src/', import.meta.url));
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
  assert.ok(files.length > 50, `found the sources in ${root}`);
  const found: string[] = [];
  for (const file of files) {
    fs.readFileSync(path.join(root, file), 'utf8').split('\n').forEach((line, index) => {
      for (const [comparison, left, right] of line.matchAll(/([\w.?[\]]+)\s*[!=]==?\s*([\w.?[\]'"`]+)/g)) {
        if (!SENSITIVE.test(left!) && !SENSITIVE.test(right!)) continue;
        if (CONSTANT.test(left!) || CONSTANT.test(right!) || left!.endsWith('.length') || right!.endsWith('.length')) continue;
        if (NOT_SECRETS.includes(comparison)) continue;
        found.push(`src/${file}:${index + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(found, []);
});

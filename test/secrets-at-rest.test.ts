/** Signature secrets are sealed at rest (AES-256-GCM), keys rotate, database and key file are 0600. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it, test } from 'node:test';
import { createSecretBox, keyIdOf } from '../src/store/secret-box.js';
import { loadKeyring, parseSecretKey, type SecretsConfig } from '../src/store/secret-keys.js';
import { openStore } from '../src/store/open.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { RawStore } from '../src/store/store.js';
import { loadConfig } from '../src/config.js';
import { storedAccount } from './helpers/fixtures.js';
import { testStores } from './helpers/relay.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

const tempFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-secrets-'));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** The store without the sealing layer: what the rows hold. */
function openRaw(databaseUrl: string): RawStore {
  return databaseUrl.startsWith('file:') ? openSqliteStore(databaseUrl.slice('file:'.length)) : openPostgresStore(databaseUrl, { poolSize: 1 });
}

describe('secret box', () => {
  const key = randomBytes(32);
  const older = randomBytes(32);

  it('seals so that only the same key and row open it, and names the key', () => {
    const box = createSecretBox({ current: key, previous: [] });
    const sealed = box.seal(SECRET, 'accounts/a/signature_secret');
    assert.match(sealed, new RegExp(`^sealed:v1:${keyIdOf(key)}:[A-Za-z0-9_-]+$`));
    assert.equal(sealed.includes(SECRET.slice(6, 20)), false);
    assert.notEqual(box.seal(SECRET, 'accounts/a/signature_secret'), sealed, 'a fresh IV each time');
    assert.equal(box.open(sealed, 'accounts/a/signature_secret'), SECRET);
    assert.equal(box.isCurrent(sealed), true);
    assert.throws(() => box.open(sealed, 'accounts/b/signature_secret'), /authenticate/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    assert.throws(() => box.open(tampered, 'accounts/a/signature_secret'));
    assert.throws(() => createSecretBox({ current: older, previous: [] }).open(sealed, 'accounts/a/signature_secret'), /not configured/);
  });

  it('opens values under a previous key, which are then not current', () => {
    const sealed = createSecretBox({ current: older, previous: [] }).seal(SECRET, 'c');
    const box = createSecretBox({ current: key, previous: [older] });
    assert.equal(box.open(sealed, 'c'), SECRET);
    assert.equal(box.isCurrent(sealed), false);
  });

  it('asks for the keyring again for a key it does not know (another process rotated the key file)', () => {
    const sealed = createSecretBox({ current: older, previous: [] }).seal(SECRET, 'c');
    let reloads = 0;
    const box = createSecretBox({ current: key, previous: [] }, () => {
      reloads += 1;
      return { current: older, previous: [key] };
    });
    assert.equal(box.open(sealed, 'c'), SECRET);
    assert.equal(reloads, 1);
  });

  it('passes a value stored in clear through (rows older than sealing)', () => {
    const box = createSecretBox({ current: key, previous: [] });
    assert.equal(box.open(SECRET, 'c'), SECRET);
    assert.equal(box.isCurrent(SECRET), false);
  });
});

describe('SECRETS_KEY', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256));
  for (const [written, expected] of [
    [key.toString('hex'), key],
    [key.toString('hex').toUpperCase(), key],
    [key.toString('base64'), key],
    [key.toString('base64url'), key],
    [randomBytes(31).toString('base64'), undefined],
    [randomBytes(33).toString('hex'), undefined],
    ['not a key', undefined],
    ['', undefined],
  ] as const) {
    it(`${JSON.stringify(written.slice(0, 12))}… (${written.length} characters) is ${expected ? 'a key' : 'refused'}`, () => {
      assert.deepEqual(parseSecretKey(written), expected);
    });
  }

  it('a bad key stops the start naming the variable', () => {
    assert.throws(() => loadConfig({ SECRETS_KEY: 'abc' }, tempFolder()), /^ConfigError: SECRETS_KEY must be 32 bytes/);
    assert.throws(() => loadConfig({ SECRETS_PREVIOUS_KEYS: `${key.toString('hex')},x` }, tempFolder()), /^ConfigError: SECRETS_PREVIOUS_KEYS/);
  });

  it('without it, the key file sits beside the SQLite file; with it, no file is made', () => {
    const folder = tempFolder();
    const config = loadConfig({ DATABASE_URL: `file:${path.join(folder, 'db', 'statusrelay.db')}` }, folder);
    assert.equal(config.secrets.keyFile, path.join(folder, 'db', 'secrets.key'));
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://h/db' }, folder).secrets.keyFile, path.join(folder, 'data', 'secrets.key'));
    const given = loadConfig({ SECRETS_KEY: key.toString('base64') }, folder).secrets;
    assert.deepEqual(loadKeyring(given).current, key);
    assert.equal(fs.existsSync(given.keyFile), false);
  });
});

test('the key file is made once with 0600, and two loads agree', () => {
  const keyFile = path.join(tempFolder(), 'data', 'secrets.key');
  const config: SecretsConfig = { previousKeys: [], keyFile };
  const first = loadKeyring(config);
  assert.equal(modeOf(keyFile), 0o600);
  assert.deepEqual(loadKeyring(config).current, first.current);
  assert.equal(fs.readFileSync(keyFile, 'utf8').trim().split('\n').length, 1);
});

test('the SQLite database file is made with 0600, and an older, wider one is narrowed', async () => {
  const folder = tempFolder();
  const store = await openStore(`file:${path.join(folder, 'statusrelay.db')}`);
  await store.migrate();
  await store.createAccount(storedAccount());
  await store.close();
  for (const file of fs.readdirSync(folder)) assert.equal(modeOf(path.join(folder, file)), 0o600, file);

  const older = path.join(folder, 'older.db');
  fs.writeFileSync(older, '');
  fs.chmodSync(older, 0o644);
  const again = await openStore(`file:${older}`);
  await again.close();
  assert.equal(modeOf(older), 0o600);
});

for (const kind of testStores()) {
  describe(`secrets at rest (${kind.kind})`, { skip: kind.skip }, () => {
    it('stores the signature secret sealed and hands it out in clear', async () => {
      const databaseUrl = await kind.databaseUrl();
      const secrets: SecretsConfig = { previousKeys: [], keyFile: path.join(tempFolder(), 'secrets.key') };
      const store = await openStore(databaseUrl, { poolSize: 2, secrets });
      const raw = openRaw(databaseUrl);
      try {
        await store.migrate();
        const account = storedAccount({ signature_secret: SECRET });
        await store.createAccount(account);
        const row = (await raw.getAccount(account.id))!;
        assert.match(row.signature_secret, /^sealed:v1:/);
        assert.equal(row.signature_secret.includes(SECRET.slice(6)), false);
        assert.equal((await store.getAccount(account.id))!.signature_secret, SECRET);
        assert.equal((await store.findAccountByApiKey(account.api_key))!.signature_secret, SECRET);
        // A sealed secret moved into another account's row does not open there.
        const other = storedAccount();
        await raw.createAccount({ ...other, signature_secret: row.signature_secret });
        await assert.rejects(store.getAccount(other.id), /authenticate/);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    it('seals rows written in clear, and seals everything again under a new key (rotate-key)', async () => {
      const databaseUrl = await kind.databaseUrl();
      const keyFile = path.join(tempFolder(), 'secrets.key');
      const raw = openRaw(databaseUrl);
      try {
        await raw.migrate();
        const account = storedAccount({ signature_secret: SECRET });
        await raw.createAccount(account);
        await raw.rotateSignatureSecret(account.id, 'whsec_' + Buffer.alloc(32, 8).toString('base64'), Date.now() + 60_000);
        assert.equal((await raw.getAccount(account.id))!.previous_signature_secret, SECRET);

        const store = await openStore(databaseUrl, { poolSize: 1, secrets: { previousKeys: [], keyFile } });
        const first = await store.sealSecrets();
        assert.deepEqual(first, { key_id: keyIdOf(loadKeyring({ previousKeys: [], keyFile }).current), accounts_resealed: 1 });
        assert.deepEqual(await store.sealSecrets(), { ...first, accounts_resealed: 0 });
        await store.close();
        const sealed = (await raw.getAccount(account.id))!;
        assert.match(sealed.signature_secret, new RegExp(`^sealed:v1:${first.key_id}:`));
        assert.match(sealed.previous_signature_secret!, new RegExp(`^sealed:v1:${first.key_id}:`));

        const run = spawnSync(process.execPath, [CLI, 'secrets', 'rotate-key'], {
          env: { ...process.env, DATABASE_URL: databaseUrl, SECRETS_KEY_FILE: keyFile, SECRETS_KEY: '' },
          encoding: 'utf8',
        });
        assert.equal(run.status, 0, run.stderr);
        const printed = JSON.parse(run.stdout) as { key_id: string; accounts_resealed: number };
        assert.equal(printed.accounts_resealed, 1);
        assert.notEqual(printed.key_id, first.key_id);
        assert.equal(modeOf(keyFile), 0o600);
        const keyring = loadKeyring({ previousKeys: [], keyFile });
        assert.equal(keyIdOf(keyring.current), printed.key_id);
        assert.equal(keyring.previous.length, 1, 'the old key stays for nodes still running with it');

        const resealed = (await raw.getAccount(account.id))!;
        assert.match(resealed.signature_secret, new RegExp(`^sealed:v1:${printed.key_id}:`));
        assert.match(resealed.previous_signature_secret!, new RegExp(`^sealed:v1:${printed.key_id}:`));
        // Only the new key is needed now.
        const reopened = await openStore(databaseUrl, { poolSize: 1, secrets: { key: keyring.current.toString('hex'), previousKeys: [], keyFile } });
        const opened = (await reopened.getAccount(account.id))!;
        await reopened.close();
        assert.equal(opened.previous_signature_secret, SECRET);
        assert.equal(opened.signature_secret, 'whsec_' + Buffer.alloc(32, 8).toString('base64'));
      } finally {
        await raw.close();
      }
    });

    it('with SECRETS_KEY, rotate-key seals what is under SECRETS_PREVIOUS_KEYS under the new key', async () => {
      const databaseUrl = await kind.databaseUrl();
      const [oldKey, newKey] = [randomBytes(32).toString('hex'), randomBytes(32).toString('base64')];
      const keyFile = path.join(tempFolder(), 'never.key');
      const before = await openStore(databaseUrl, { poolSize: 1, secrets: { key: oldKey, previousKeys: [], keyFile } });
      await before.migrate();
      const account = storedAccount({ signature_secret: SECRET });
      await before.createAccount(account);
      await before.close();

      const run = spawnSync(process.execPath, [CLI, 'secrets', 'rotate-key'], {
        env: { ...process.env, DATABASE_URL: databaseUrl, SECRETS_KEY: newKey, SECRETS_PREVIOUS_KEYS: oldKey, SECRETS_KEY_FILE: keyFile },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { key_id: keyIdOf(parseSecretKey(newKey)!), accounts_resealed: 1 });
      assert.equal(fs.existsSync(keyFile), false);
      const after = await openStore(databaseUrl, { poolSize: 1, secrets: { key: newKey, previousKeys: [], keyFile } });
      try {
        assert.equal((await after.getAccount(account.id))!.signature_secret, SECRET);
      } finally {
        await after.close();
      }
    });
  });
}

/**
 * Where the keys of the secret box (secret-box.ts) come from: `SECRETS_KEY` (with
 * `SECRETS_PREVIOUS_KEYS` during a rotation), else a key file in the data folder, made with
 * 0600 permissions the first time a store opens. The file holds one base64 key per line, the
 * current key first; `statusrelay secrets rotate-key` puts a new key on top.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SECRET_KEY_BYTES, type Keyring } from './secret-box.js';

/** Keys as written in the environment (checked by options.ts with parseSecretKey). */
export interface SecretsConfig {
  /** SECRETS_KEY: the current key, when the operator provides it. */
  key?: string;
  /** SECRETS_PREVIOUS_KEYS: keys values may still be sealed under. */
  previousKeys: string[];
  /** Used when `key` is absent. */
  keyFile: string;
}

/** A key written as 64 hex digits or as base64 of 32 bytes; undefined when it is neither. */
export function parseSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  return key.length === SECRET_KEY_BYTES ? key : undefined;
}

/** The key file of a database: beside the SQLite file, else data/ under `cwd`. */
export function defaultKeyFile(databaseUrl: string, cwd: string): string {
  const folder = databaseUrl.startsWith('file:') ? path.dirname(path.resolve(cwd, databaseUrl.slice('file:'.length))) : path.join(cwd, 'data');
  return path.join(folder, 'secrets.key');
}

export function loadKeyring(config: SecretsConfig): Keyring {
  const previous = config.previousKeys.map((text) => parseSecretKey(text)!);
  if (config.key) return { current: parseSecretKey(config.key)!, previous };
  const keys = readOrCreateKeyFile(config.keyFile);
  return { current: keys[0]!, previous: [...keys.slice(1), ...previous] };
}

/**
 * Puts a new key on top of the key file and returns the keyring with it. Older keys stay in the
 * file: nodes still running with them keep working until restarted.
 */
export function addKeyToFile(keyFile: string): Keyring {
  const keys = [randomBytes(SECRET_KEY_BYTES), ...readOrCreateKeyFile(keyFile)];
  fs.renameSync(writeTemporary(keyFile, keys), keyFile);
  return { current: keys[0]!, previous: keys.slice(1) };
}

function readOrCreateKeyFile(keyFile: string): Buffer[] {
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(keyFile)) {
    // Written aside and linked into place: of two processes starting together one key wins, and
    // no process ever reads a half-written file.
    const temporary = writeTemporary(keyFile, [randomBytes(SECRET_KEY_BYTES)]);
    try {
      fs.linkSync(temporary, keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.unlinkSync(temporary);
    }
  }
  const lines = fs.readFileSync(keyFile, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const keys = lines.map(parseSecretKey);
  if (keys.length === 0 || keys.some((key) => !key)) throw new Error(`${keyFile} must hold one key per line (base64 or hex of ${SECRET_KEY_BYTES} bytes)`);
  return keys as Buffer[];
}

function writeTemporary(keyFile: string, keys: Buffer[]): string {
  const temporary = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, keys.map((key) => `${key.toString('base64')}\n`).join(''), { mode: 0o600, flag: 'wx' });
  return temporary;
}

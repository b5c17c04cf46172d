/** SMPP server settings: defaults follow the HTTP API's host, TLS needs port, cert and key together. */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/ops/env.js';

test('SMPP_SERVER_HOST defaults to HOST; SMPP_SERVER_PORT 0 disables the plain listener', () => {
  const config = loadConfig({ HOST: '127.0.0.1', SMPP_SERVER_PORT: '0' }, '/srv');
  assert.equal(config.smppServer.host, '127.0.0.1');
  assert.equal(config.smppServer.port, 0);
  assert.equal(config.smppServer.tls, undefined);
});

test('bad SMPP server settings stop the start with one line naming them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smpp-config-'));
  fs.writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
  fs.writeFileSync(path.join(dir, 'key.pem'), 'KEY');
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ SMPP_SERVER_PORT: '70000' }, /^SMPP_SERVER_PORT must be an integer from 0 to 65535/],
    [{ SMPP_SERVER_TLS_PORT: '3550' }, /^SMPP_SERVER_TLS_PORT needs SMPP_SERVER_TLS_CERT and SMPP_SERVER_TLS_KEY/],
    [{ SMPP_SERVER_TLS_CERT: path.join(dir, 'cert.pem'), SMPP_SERVER_TLS_KEY: path.join(dir, 'key.pem') }, /need SMPP_SERVER_TLS_PORT/],
    [{ SMPP_SERVER_TLS_PORT: '3550', SMPP_SERVER_TLS_CERT: path.join(dir, 'missing.pem'), SMPP_SERVER_TLS_KEY: path.join(dir, 'key.pem') }, /^SMPP_SERVER_TLS_CERT must name a readable file \(ENOENT\)/],
    [{ SMPP_SERVER_IDLE_MS: '5' }, /^SMPP_SERVER_IDLE_MS must be an integer >= 100/],
    [{ SMPP_SERVER_WINDOW: '0' }, /^SMPP_SERVER_WINDOW must be an integer from 1 to 1000/],
    [{ SMPP_SERVER_HOST: '1.2.3' }, /^SMPP_SERVER_HOST must be an IP address or a hostname/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env, '/srv'), (error: Error) => error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'), JSON.stringify(env));
  }
  const tls = loadConfig({ SMPP_SERVER_TLS_PORT: '3550', SMPP_SERVER_TLS_CERT: path.join(dir, 'cert.pem'), SMPP_SERVER_TLS_KEY: path.join(dir, 'key.pem') }, '/srv');
  assert.deepEqual(tls.smppServer.tls, { port: 3550, cert: 'CERT', key: 'KEY' });
  fs.rmSync(dir, { recursive: true, force: true });
});

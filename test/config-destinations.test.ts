/** The SMTP and SQS settings: defaults, and combinations that cannot work refused at start. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.js';

test('defaults: a local relay on the submission port, verified TLS, SDK credential chain for no account', () => {
  const { smtp, sqs } = loadConfig({});
  assert.deepEqual(smtp, { host: 'localhost', port: 587, secure: false, requireTls: false, from: 'statusrelay@localhost', tlsRejectUnauthorized: true, poolSize: 5 });
  assert.deepEqual(sqs, { region: 'us-east-1', sharedIdentityAccounts: [] });
});

test('implicit TLS defaults to port 465; keys and endpoint are passed on', () => {
  const config = loadConfig({ SMTP_SECURE: 'true', SMTP_USER: 'u', SMTP_PASSWORD: 'p', SQS_REGION: 'eu-central-1', SQS_ENDPOINT: 'http://127.0.0.1:4566', SQS_ACCESS_KEY_ID: 'k', SQS_SECRET_ACCESS_KEY: 's', SQS_SHARED_IDENTITY_ACCOUNTS: ' acc-1, acc-2 ', STS_ENDPOINT: 'http://127.0.0.1:4567/' });
  assert.equal(config.smtp.port, 465);
  assert.deepEqual([config.smtp.user, config.smtp.password], ['u', 'p']);
  assert.deepEqual(config.sqs, {
    region: 'eu-central-1',
    endpoint: 'http://127.0.0.1:4566',
    accessKeyId: 'k',
    secretAccessKey: 's',
    sharedIdentityAccounts: ['acc-1', 'acc-2'],
    stsEndpoint: 'http://127.0.0.1:4567',
  });
});

for (const [env, message] of [
  [{ SMTP_SECURE: 'true', SMTP_STARTTLS: 'true' }, /exclude each other/],
  [{ SMTP_USER: 'u' }, /SMTP_USER needs SMTP_PASSWORD as well: set both or neither/],
  [{ SQS_SECRET_ACCESS_KEY: 's' }, /SQS_SECRET_ACCESS_KEY needs SQS_ACCESS_KEY_ID as well/],
  [{ SMTP_STARTTLS: 'yes' }, /SMTP_STARTTLS must be true or false/],
  [{ STS_ENDPOINT: 'sts.local' }, /STS_ENDPOINT must be an http\(s\) URL/],
  [{ SMTP_POOL_SIZE: '0' }, /SMTP_POOL_SIZE must be an integer >= 1/],
] as Array<[Record<string, string>, RegExp]>) {
  test(`refused: ${JSON.stringify(env)}`, () => assert.throws(() => loadConfig(env), message));
}

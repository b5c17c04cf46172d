/**
 * `statusrelay account disable|enable`: a disabled account's API calls get 403, its SMTP, SMPP
 * and websms logins fail, and its pending callbacks still go out.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { startReceiver, startRelay, testStores, waitFor } from './helpers/relay.js';
import { SILENT_SIMULATOR, report, sendMessage } from './helpers/forwarding.js';
import { connectEsme } from './helpers/esme.js';
import { textMessage } from './helpers/fixtures.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const ESME_RBINDFAIL = 0x0d;

function cli(databaseUrl: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
}

test('a disabled account cannot log in anywhere, its pending callbacks still go out, and enable lets it back in', async (t) => {
  const kind = process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
  const databaseUrl = await testStores().find((store) => store.kind === kind)!.databaseUrl();
  const running = await startRelay(
    { ...SILENT_SIMULATOR, DATABASE_URL: databaseUrl, EMAIL_INTERFACE_HOST: '127.0.0.1', EMAIL_INTERFACE_ALLOW_INSECURE_AUTH: 'true' },
    { emailInterfaceOnPortZero: true },
  );
  const receiver = await startReceiver({ secret: running.credentials.signature_secret });
  const smppAddress = await running.relay.smppServer.listenOn(0);
  const esmes: Array<{ session: { destroy(): void } }> = [];
  t.after(async () => {
    for (const esme of esmes) esme.session.destroy();
    await running.stop();
    await receiver.close();
  });
  const { credentials } = running;

  const smtpLogin = () =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: running.relay.emailAddress()!.port, secure: false, ignoreTLS: true, auth: { user: credentials.api_key, pass: credentials.api_secret } } as SMTPTransport.Options)
      .verify()
      .then(
        () => 'accepted',
        (error: { responseCode?: number }) => error.responseCode,
      );
  const smppBind = async () => {
    const esme = await connectEsme(smppAddress);
    esmes.push(esme);
    return (await esme.bind('transceiver', credentials.smpp_system_id, credentials.smpp_password)).command_status;
  };
  const websmsLogin = async () =>
    (await fetch(`${running.baseUrl}/rest/smsmessaging/text`, { method: 'POST', headers: { authorization: running.auth, 'content-type': 'application/json' }, body: '{}' })).status;

  const uuid = await sendMessage(running, { webhook_url: receiver.url });
  assert.equal(await smtpLogin(), 'accepted');
  assert.equal(await smppBind(), 0);
  assert.notEqual(await websmsLogin(), 401);

  const disabled = cli(databaseUrl, 'account', 'disable', '--account', credentials.account_id);
  assert.equal(disabled.status, 0, disabled.stderr);
  assert.deepEqual(JSON.parse(disabled.stdout), { account_id: credentials.account_id, disabled: true });

  for (const [method, path, body] of [['GET', '/v1/account'], ['POST', '/v1/messages', textMessage()], ['GET', `/v1/messages/${uuid}`]] as const) {
    const response = await running.api(method, path, body);
    assert.equal(response.status, 403, `${method} ${path}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(response.body.type, 'https://statusrelay.dev/problems/account-disabled');
  }
  const wrongSecret = await fetch(`${running.baseUrl}/v1/account`, { headers: { authorization: 'Basic ' + Buffer.from(`${credentials.api_key}:nope`).toString('base64') } });
  assert.equal(wrongSecret.status, 401, 'a wrong secret stays 401: 403 tells only the account holder it is disabled');
  assert.equal(await smtpLogin(), 535);
  assert.equal(await smppBind(), ESME_RBINDFAIL);
  assert.equal(await websmsLogin(), 401);

  // The message sent before keeps being tracked and its callbacks go out.
  await report(running, uuid, ['submitted', 'delivered']);
  await waitFor(() => receiver.received.length === 2, 5_000, 'the callbacks of the disabled account');
  assert.deepEqual(receiver.received.map((callback) => [callback.json.status, callback.verified]), [['submitted', true], ['delivered', true]]);

  const enabled = cli(databaseUrl, 'account', 'enable', '--account', credentials.account_id);
  assert.equal(enabled.status, 0, enabled.stderr);
  assert.equal((await running.api('GET', '/v1/account')).status, 200);
  assert.equal(await smtpLogin(), 'accepted');
  assert.equal(await smppBind(), 0);

  const unknown = cli(databaseUrl, 'account', 'disable', '--account', 'no-such-account');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no account no-such-account/);
  assert.equal(cli(databaseUrl, 'account', 'disable').status, 2, 'usage without --account');
});

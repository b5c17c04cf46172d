/**
 * The SMPP server as a real process: credentials from the CLI (account create, smpp-password
 * reset), kill -9 with receipts waiting (none lost after the restart), SIGTERM unbinds the
 * customer's sessions.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDatabaseUrl, waitFor } from './helpers/relay.js';
import { createAccountCli, freePort, startServerProcess } from './helpers/process.js';
import { connectEsme } from './helpers/esme.js';
import { encodeSms } from '../src/model/gsm.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const MESSAGES = 200;
const ENV = { SIMULATOR_TIME_SCALE: '0.01', SIMULATOR_SEED: '3', RETRY_BASE_MS: '100', RETRY_CAP_MS: '500', RETRY_WINDOW_MS: '600000' };

test('SMPP credentials: account create prints them, smpp-password reset replaces the password', async () => {
  const databaseUrl = tempDatabaseUrl();
  const credentials = createAccountCli(databaseUrl);
  assert.match(credentials.smpp_system_id, /^[A-Za-z0-9]{1,15}$/);
  assert.match(credentials.smpp_password, /^[A-Za-z0-9]{8}$/);
  const run = spawnSync(process.execPath, [CLI, 'smpp-password', 'reset', '--account', credentials.account_id], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const reset = JSON.parse(run.stdout);
  assert.equal(reset.smpp_system_id, credentials.smpp_system_id);
  assert.match(reset.smpp_password, /^[A-Za-z0-9]{8}$/);
  assert.notEqual(reset.smpp_password, credentials.smpp_password);

  const port = await freePort();
  const server = await startServerProcess({ DATABASE_URL: databaseUrl, ...ENV, SMPP_SERVER_PORT: String(port), SMPP_SERVER_HOST: '127.0.0.1' });
  try {
    const old = await connectEsme(`127.0.0.1:${port}`);
    assert.equal((await old.bind('transceiver', credentials.smpp_system_id, credentials.smpp_password)).command_status, 0x0d, 'old password refused');
    const fresh = await connectEsme(`127.0.0.1:${port}`);
    assert.equal((await fresh.bind('transceiver', reset.smpp_system_id, reset.smpp_password)).command_status, 0);
    // SIGTERM: the bound customer is sent unbind before the process exits.
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    await fresh.closed;
    assert.ok(fresh.requests.some((pdu) => pdu.command === 'unbind'), 'unbind sent on SIGTERM');
    old.session.destroy();
  } finally {
    server.child.kill('SIGKILL');
  }

  const missing = spawnSync(process.execPath, [CLI, 'smpp-password', 'reset', '--account', 'no-such-account'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  assert.equal(missing.status, 1);
});

test('SMPP server: kill -9 with receipts waiting loses none after the restart', { timeout: 120_000 }, async (t) => {
  const databaseUrl = tempDatabaseUrl();
  const credentials = createAccountCli(databaseUrl);
  const port = await freePort();
  const env = { DATABASE_URL: databaseUrl, ...ENV, SMPP_SERVER_PORT: String(port), SMPP_SERVER_HOST: '127.0.0.1' };
  let server = await startServerProcess(env);
  t.after(() => server.child.kill('SIGKILL'));

  const tx = await connectEsme(`127.0.0.1:${port}`);
  assert.equal((await tx.bind('transmitter', credentials.smpp_system_id, credentials.smpp_password)).command_status, 0);
  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i += 20) {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, j) =>
        tx.submit({ destination_addr: `4366400${String(i + j).padStart(5, '0')}`, registered_delivery: 1, data_coding: 0, short_message: encodeSms(`crash ${i + j}`).parts[0] }),
      ),
    );
    for (const answer of answers) {
      assert.equal(answer.command_status, 0);
      ids.push(answer.message_id);
    }
    // Below the account's default 100 submits per second.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  // A receiver takes some receipts but never acknowledges them; then the process dies.
  const silent = await connectEsme(`127.0.0.1:${port}`, { answerDeliver: () => 'silent' });
  assert.equal((await silent.bind('receiver', credentials.smpp_system_id, credentials.smpp_password)).command_status, 0);
  await waitFor(() => silent.receipts.length >= 5, 20_000, 'receipts offered before the crash');
  server.child.kill('SIGKILL');
  await server.exited;
  tx.session.destroy();
  silent.session.destroy();

  server = await startServerProcess(env);
  const rx = await connectEsme(`127.0.0.1:${port}`);
  assert.equal((await rx.bind('receiver', credentials.smpp_system_id, credentials.smpp_password)).command_status, 0);
  const got = () => new Set(rx.receipts.map((r) => r.pdu.receipted_message_id));
  await waitFor(() => ids.every((id) => got().has(id)), 60_000, `a receipt for each of ${MESSAGES} messages`);
  assert.equal(got().size, MESSAGES);
  rx.session.destroy();
});

/**
 * The Messaging Suite's server side over plain HTTP (no browser): sessions and their cookies,
 * CSRF refusal with nothing stored, the sign-in slow-down, one account's user never reaching
 * another's data, keyset paging, escaping, the CLI's users, and the weight of the first page.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startReceiver, startRelay, waitFor, type RunningRelay } from './helpers/relay.js';
import { PASSWORD, addSuiteUser, suiteClient, type SuiteUserLogin } from './helpers/suite.js';
import { storedMessage } from './helpers/fixtures.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** Runs the CLI with this standard input; resolves with its exit code and output. */
function cli(args: string[], databaseUrl: string, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('Messaging Suite over HTTP', () => {
  let running: RunningRelay;
  let user: SuiteUserLogin;
  let other: SuiteUserLogin;

  before(async () => {
    running = await startRelay();
    user = await addSuiteUser(running, 'ops@acme.example');
    other = await addSuiteUser(running, 'ops@other.example', false);
  });
  after(async () => running?.stop());

  it('redirects the root to the suite and signed-out pages to sign-in', async () => {
    const client = suiteClient(running.baseUrl);
    const root = await client.get('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/suite/');
    const sent = await client.get('/suite/sent');
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get('location'), '/suite/sign-in?next=%2Fsuite%2Fsent');
    const events = await client.get('/suite/sent/events', { accept: 'text/event-stream' });
    assert.equal(events.status, 401);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie on /suite, Secure behind TLS, and ends it at sign-out', async () => {
    const plain = suiteClient(running.baseUrl);
    const signedIn = await plain.signIn(user);
    assert.equal(signedIn.status, 303);
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith('suite_session='))!;
    assert.match(cookie, /; Path=\/suite/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.doesNotMatch(cookie, /; Secure/);
    const page = await plain.get('/suite/sent');
    assert.equal(page.status, 200);
    const stolen = plain.cookies.get('suite_session')!;
    assert.equal((await plain.post('/suite/sign-out', { _csrf: plain.csrfOf(page.body) })).status, 303);
    // The old cookie is worthless once signed out: the session is gone from the store.
    const replayed = suiteClient(running.baseUrl);
    replayed.cookies.set('suite_session', stolen);
    assert.equal((await replayed.get('/suite/sent')).status, 303);

    const tls = suiteClient(running.baseUrl);
    const form = await tls.get('/suite/sign-in');
    const secure = await tls.post('/suite/sign-in', { _csrf: tls.csrfOf(form.body), email: user.email, password: user.password }, { 'x-forwarded-proto': 'https' });
    assert.match(secure.headers.getSetCookie().find((line) => line.startsWith('suite_session='))!, /; Secure/);
  });

  it('refuses a state-changing request without the CSRF token and stores nothing', async () => {
    const client = suiteClient(running.baseUrl);
    await client.signIn(other);
    const compose = { channel: 'sms', to: '436641234567', from: 'ACME', text: 'forged' };
    assert.equal((await client.post('/suite/compose', compose)).status, 403);
    assert.equal((await client.post('/suite/compose', { ...compose, _csrf: 'not-the-token' })).status, 403);
    assert.deepEqual(await running.relay.store.listAccountMessages(other.accountId, {}, 10), []);
    const forwarding = await client.post('/suite/forwarding', { enabled: '' });
    assert.equal(forwarding.status, 403);
    assert.equal((await running.api('GET', '/v1/forwarding')).body.enabled, true);
    // With the token (a form field, or the header htmx sends) the same request goes through.
    const page = await client.get('/suite/compose');
    assert.equal((await client.post('/suite/compose', compose, { 'x-csrf-token': client.csrfOf(page.body) })).status, 303);
    assert.equal((await running.relay.store.listAccountMessages(other.accountId, {}, 10)).length, 1);
    // Sign-in has its own token before any session exists.
    const anonymous = suiteClient(running.baseUrl);
    assert.equal((await anonymous.post('/suite/sign-in', { email: user.email, password: user.password })).status, 403);
  });

  it('slows down sign-in after repeated failures, whatever the password', async () => {
    const login = await addSuiteUser(running, 'slow@acme.example');
    const client = suiteClient(running.baseUrl);
    for (let i = 0; i < 5; i++) assert.equal((await client.signIn({ email: login.email, password: 'wrong password!' })).status, 401);
    const refused = await client.signIn(login);
    assert.equal(refused.status, 429);
    assert.match(refused.body, /Too many failed sign-ins\. Try again in \d+ seconds\./);
    // Another address is not affected.
    assert.equal((await client.signIn(user)).status, 303);
  });

  it("never shows or replays another account's messages and callbacks", async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.close());
    const sent = await running.api('POST', '/v1/messages', { channel: 'sms', message_type: 'text', to: '436641230000', from: 'ACME', text: 'mine', client_ref: 'secret-ref', webhook_url: receiver.url });
    const uuid = sent.body.message_uuid as string;
    await waitFor(async () => (await running.relay.store.listCallbacks(uuid)).some((callback) => callback.state === 'delivered'), 10_000, 'a delivered callback');
    const [callback] = await running.relay.store.listCallbacks(uuid);
    const client = suiteClient(running.baseUrl);
    await client.signIn(other);
    assert.equal((await client.get(`/suite/messages/${uuid}`)).status, 404);
    for (const search of ['secret-ref', uuid, '436641230000']) {
      const list = await client.get(`/suite/sent?q=${search}`);
      assert.doesNotMatch(list.body, new RegExp(`/suite/messages/${uuid}`));
      assert.match(list.body, /No messages match\./);
    }
    const page = await client.get('/suite/dead-letters');
    const before = receiver.received.length;
    assert.equal((await client.post(`/suite/callbacks/${callback!.id}/replay`, { _csrf: client.csrfOf(page.body) })).status, 404);
    assert.equal((await running.relay.store.getCallback(callback!.id))?.state, 'delivered', 'not replayed');
    assert.equal(receiver.received.length, before);
    // The owner may replay it.
    const owner = suiteClient(running.baseUrl);
    await owner.signIn(user);
    const own = await owner.get(`/suite/messages/${uuid}`);
    assert.equal(own.status, 200);
    assert.equal((await owner.post(`/suite/callbacks/${callback!.id}/replay`, { _csrf: owner.csrfOf(own.body) })).status, 303);
    await waitFor(() => receiver.received.length > before, 10_000, 'the replay');
  });

  it('replays every dead letter since a time in the background, with its progress on the page', async (t) => {
    let answer = 503;
    const receiver = await startReceiver({ answer: () => answer });
    t.after(() => receiver.close());
    const sent = await running.api('POST', '/v1/messages', { channel: 'sms', message_type: 'text', to: '436641232222', from: 'ACME', text: 'x', webhook_url: receiver.url });
    const uuid = sent.body.message_uuid as string;
    await waitFor(async () => (await running.relay.store.listCallbacks(uuid)).some((callback) => callback.state === 'dead'), 15_000, 'a dead letter');
    answer = 200;
    const client = suiteClient(running.baseUrl);
    await client.signIn(user);
    const page = await client.get('/suite/dead-letters');
    assert.match(page.body, /HTTP 503/);
    const since = new Date(Date.now() - 3_600_000).toISOString().slice(0, 16);
    const started = await client.post('/suite/dead-letters/replay', { _csrf: client.csrfOf(page.body), since });
    assert.equal(started.status, 303);
    const job = /job=([0-9a-f-]{36})/.exec(started.headers.get('location')!)![1]!;
    await waitFor(async () => /callback\(s\) queued again/.test((await client.get(`/suite/dead-letters/replay/${job}`)).body), 10_000, 'the job to finish');
    await waitFor(async () => (await running.relay.store.listCallbacks(uuid)).every((callback) => callback.state === 'delivered'), 10_000, 'the replayed callbacks delivered');
    // Another account's user cannot read the job.
    const stranger = suiteClient(running.baseUrl);
    await stranger.signIn(other);
    assert.doesNotMatch((await stranger.get(`/suite/dead-letters/replay/${job}`)).body, /queued again|<progress/);
  });

  it('rotates the API secret and creates and revokes access tokens from the Account page', async () => {
    const login = await addSuiteUser(running, 'keys@other.example', false);
    const account = (await running.relay.store.getAccount(login.accountId))!;
    const client = suiteClient(running.baseUrl);
    await client.signIn(login);
    const page = await client.get('/suite/account');
    assert.match(page.body, new RegExp(account.api_key));
    const rotated = await client.post('/suite/account/api-secret', { _csrf: client.csrfOf(page.body) });
    const secret = /Your new API secret \(shown only now\):<\/p><p class="mono">([^<]+)</.exec(rotated.body)![1]!;
    const withSecret = (value: string) => fetch(`${running.baseUrl}/v1/account`, { headers: { authorization: `Basic ${Buffer.from(`${account.api_key}:${value}`).toString('base64')}` } });
    assert.equal((await withSecret(secret)).status, 200);
    assert.equal((await withSecret('the-old-one-is-unknown-here')).status, 401);

    const created = await client.post('/suite/account/tokens', { _csrf: client.csrfOf(page.body), label: 'ci' });
    const token = /Your new access token \(shown only now\):<\/p><p class="mono">([^<]+)</.exec(created.body)![1]!;
    const withToken = () => fetch(`${running.baseUrl}/rest/smsmessaging/text`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ recipientAddressList: ['436641234567'], messageContent: 'x', senderAddress: 'ACME', test: true }) });
    assert.equal((await withToken()).status, 200);
    const [stored] = await running.relay.store.listAccessTokens(login.accountId);
    assert.equal((await client.post(`/suite/account/tokens/${stored!.id}/revoke`, { _csrf: client.csrfOf(page.body) })).status, 303);
    assert.equal((await withToken()).status, 401);
  });

  it('rotates the signature secret from the Account page: the old one keeps signing for the grace period; the page says how long history is kept', async () => {
    const login = await addSuiteUser(running, 'signing@other.example', false);
    const before = (await running.relay.store.getAccount(login.accountId))!;
    const client = suiteClient(running.baseUrl);
    await client.signIn(login);
    const page = await client.get('/suite/account');
    assert.match(page.body, /Finished messages and their callbacks are kept for 30 days\./);
    const rotated = await client.post('/suite/account/signature-secret', { _csrf: client.csrfOf(page.body) });
    const match = /the old one keeps signing until (.+?):<\/p><p class="mono">([^<]+)</.exec(rotated.body);
    assert.ok(match, "the new secret and the end of the grace period are shown");
    const [, until, secret] = match;
    const after = (await running.relay.store.getAccount(login.accountId))!;
    assert.equal(after.signature_secret, secret, 'the new secret signs');
    assert.notEqual(after.signature_secret, before.signature_secret);
    assert.equal(after.previous_signature_secret, before.signature_secret, 'the old one signs beside it');
    assert.ok(after.previous_signature_secret_until! > Date.now() + 23 * 3600_000, `until ${until}`);
  });

  it('pages Sent newest first with a keyset cursor, without repeats or gaps', async () => {
    const login = await addSuiteUser(running, 'pages@other.example', false);
    const base = Date.now() - 1_000_000;
    const messages = Array.from({ length: 120 }, (_, i) =>
      storedMessage({ uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, account_id: login.accountId, to: `4366400${String(i).padStart(5, '0')}`, created_at: base + Math.floor(i / 3), updated_at: base }),
    );
    await running.relay.store.insertMessages(messages);
    const client = suiteClient(running.baseUrl);
    await client.signIn(login);
    const seen: string[] = [];
    let url: string | undefined = '/suite/sent';
    while (url) {
      const page = await client.get(url);
      seen.push(...[...page.body.matchAll(/href="\/suite\/messages\/([0-9a-f-]{36})"/g)].map((match) => match[1]!));
      url = /href="(\/suite\/sent\?[^"]*before=[^"]+)">Older messages/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    }
    const expected = [...messages].sort((a, b) => b.created_at - a.created_at || (a.uuid < b.uuid ? 1 : -1)).map((m) => m.uuid);
    assert.deepEqual(seen, expected);
  });

  it('escapes what customers typed', async () => {
    await running.api('POST', '/v1/messages', { channel: 'sms', message_type: 'text', to: '436641231111', from: 'ACME', text: 'x', client_ref: '<script>alert(1)</script>' });
    const client = suiteClient(running.baseUrl);
    await client.signIn(user);
    const page = await client.get('/suite/sent');
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('weighs less than 150 KB for the first page with everything it loads', async () => {
    const client = suiteClient(running.baseUrl);
    const page = await client.get('/suite/sign-in');
    let bytes = Buffer.byteLength(page.body);
    for (const [, src] of page.body.matchAll(/(?:src|href)="(\/suite\/assets\/[^"]+)"/g)) bytes += Buffer.byteLength((await client.get(src!.replace(/&amp;/g, '&'))).body);
    assert.ok(bytes < 150 * 1024, `${bytes} bytes`);
  });

  it('statusrelay user create prints a one-time password that must be replaced at the first sign-in', async () => {
    const databaseUrl = running.relay.config.databaseUrl;
    const created = await cli(['user', 'create', '--account', running.credentials.account_id, '--email', 'New.User@Acme.example'], databaseUrl);
    assert.equal(created.code, 0, created.stderr);
    const printed = JSON.parse(created.stdout);
    assert.equal(printed.email, 'new.user@acme.example');
    assert.match(printed.one_time_password, /^[A-Za-z0-9_-]{16}$/);
    const client = suiteClient(running.baseUrl);
    const signedIn = await client.signIn({ email: 'new.user@acme.example', password: printed.one_time_password });
    assert.equal(signedIn.headers.get('location'), '/suite/account');
    assert.equal((await client.get('/suite/sent')).headers.get('location'), '/suite/account');
    const account = await client.get('/suite/account');
    assert.match(account.body, /Please choose your own password now\./);
    const csrf = client.csrfOf(account.body);
    assert.equal((await client.post('/suite/account/password', { _csrf: csrf, current: printed.one_time_password, new: 'short' })).status, 422);
    assert.equal((await client.post('/suite/account/password', { _csrf: csrf, current: printed.one_time_password, new: PASSWORD })).status, 303);
    assert.equal((await client.get('/suite/sent')).status, 200);

    const piped = await cli(['user', 'create', '--account', running.credentials.account_id, '--email', 'piped@acme.example'], databaseUrl, `${PASSWORD}\n`);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(JSON.parse(piped.stdout).one_time_password, undefined);
    assert.equal((await suiteClient(running.baseUrl).signIn({ email: 'piped@acme.example', password: PASSWORD })).headers.get('location'), '/suite/');
    const duplicate = await cli(['user', 'create', '--account', running.credentials.account_id, '--email', 'piped@acme.example'], databaseUrl, `${PASSWORD}\n`);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /exists already/);
  });
});

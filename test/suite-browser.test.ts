/**
 * The Messaging Suite in a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
 * against a real relay with the simulator: sign-in, compose, Sent with live statuses, German,
 * account isolation, and an axe-core scan of every page. Each test saves a screenshot.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startReceiver, startRelay, waitFor, type Receiver, type RunningRelay } from './helpers/relay.js';
import { addSuiteUser, launchChromium, openSuite, screenshot, seriousViolations, settleTimeout, signIn, type SuiteUserLogin } from './helpers/suite.js';

/** Signs in on a fresh page and sends an SMS from Compose; the page ends where Send led. */
async function composeSms(page: Page, login: SuiteUserLogin, to: string, text: string): Promise<void> {
  await signIn(page, login);
  await page.goto('/suite/compose');
  await page.getByLabel('To').fill(to);
  await page.getByLabel('From').fill('ACME');
  await page.getByLabel('Text').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** The message id of the row in Sent that shows this recipient. */
async function uuidInSent(page: Page, to: string): Promise<string> {
  return (await page.getByRole('row').filter({ hasText: to }).getByRole('link').getAttribute('href'))!.split('/').pop()!;
}

// The pages are the same on either store and suite-http.test.ts runs the suite's queries on
// both, so the browser (two minutes) runs in the SQLite pass of `npm test` only.
const ONCE = process.env.TEST_STORE === 'postgres' ? 'the browser tests run in the SQLite pass; suite-http.test.ts covers PostgreSQL' : undefined;

describe('Messaging Suite in Chromium', { skip: ONCE }, () => {
  let running: RunningRelay;
  let browser: Browser;
  let user: SuiteUserLogin;
  let page: Page;
  let receiver: Receiver;
  /** What the receiver answers; a test that wants dead letters sets 503. */
  let answer = 200;

  before(async () => {
    receiver = await startReceiver({ answer: () => answer });
    // Real-time simulator: a message takes about a second or more to be delivered, so the
    // browser sees it change on the open page.
    running = await startRelay({ SIMULATOR_TIME_SCALE: '1' });
    user = await addSuiteUser(running, 'ops@acme.example');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await running?.stop();
    await receiver?.close();
  });
  afterEach(async (t) => {
    if (page && !page.isClosed()) {
      await screenshot(page, t.name);
      await page.context().close();
    }
  });

  it('signs in with the right password and not with a wrong one, and signs out', async () => {
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, { email: user.email, password: 'wrong password!' });
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/suite/sign-in');
    await signIn(page, user);
    await page.getByRole('heading', { name: 'Sent' }).waitFor();
    for (const name of ['Compose', 'Sent', 'Forwarding', 'Dead letters', 'Overview', 'Account']) {
      assert.ok(await page.getByRole('navigation').getByRole('link', { name, exact: true }).isVisible(), name);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();
    await page.goto('/suite/sent');
    assert.equal(new URL(page.url()).pathname, '/suite/sign-in');
  });

  it('composes an SMS and shows it reach its final status in Sent without reloading', async () => {
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, user);
    await page.getByRole('link', { name: 'Compose', exact: true }).click();
    await page.getByLabel('Channel').selectOption('sms');
    await page.getByLabel('To').fill('436641234567, 436641234568');
    await page.getByLabel('From').fill('ACME');
    await page.getByLabel('Text').fill('Grüße aus Wien');
    await page.getByText('14 characters, 1 SMS part (GSM 7-bit)').waitFor();
    await page.getByLabel('Text').fill('Grüße aus Wien 😀');
    await page.getByText('16 characters, 1 SMS part (UCS-2)').waitFor();
    assert.equal(await page.getByRole('switch', { name: 'Request delivery receipt' }).isChecked(), true);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').filter({ hasText: '2 messages were sent.' }).waitFor();
    // A marker on the window: gone if the page were reloaded.
    await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
    const rows = page.getByRole('row').filter({ hasText: 'Suite' });
    assert.equal(await rows.count(), 2);
    const final = /delivered|rejected|undeliverable/;
    // The simulator settles a message 0.8 s or more after it was accepted: the page showed it before.
    const firstShown = await Promise.all((await rows.all()).map((row) => row.getByRole('cell').nth(5).innerText()));
    assert.ok(firstShown.some((status) => !final.test(status)), `already final when the page was drawn: ${firstShown}`);
    for (const row of await rows.all()) {
      const uuid = (await row.getByRole('link').getAttribute('href'))!.split('/').pop()!;
      await row.getByRole('cell').nth(5).filter({ hasText: final }).waitFor({ timeout: await settleTimeout(running, uuid) });
    }
    assert.equal(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce), true, 'the page was not reloaded');
    // What the page shows is what the API reports.
    for (const row of await rows.all()) {
      const href = await row.getByRole('link').getAttribute('href');
      const { body } = await running.api('GET', `/v1/messages/${href!.split('/').pop()}`);
      assert.equal(await row.getByRole('cell').nth(5).innerText(), body.status);
      assert.match(await row.getByRole('cell').nth(6).innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    }
  });

  it('shows an invalid recipient next to the To field with the API reason', async () => {
    page = await openSuite(browser, running.baseUrl);
    await composeSms(page, user, '+436641234567', 'Hi');
    const to = page.getByLabel('To');
    assert.equal(await to.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#to-error').innerText(), /E\.164 format without a leading '\+'/);
    assert.equal(await to.inputValue(), '+436641234567', 'the form keeps what was typed');
  });

  it('filters Sent by channel and finds a message by client_ref sent through the API', async () => {
    const sent = await running.api('POST', '/v1/messages', { channel: 'whatsapp', message_type: 'text', to: '436641234599', from: '447700900000', text: 'Hi', client_ref: 'order-4711' });
    assert.equal(sent.status, 202);
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, user);
    await page.goto('/suite/sent');
    await page.getByLabel('Search').fill('order-4711');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.getByRole('row').filter({ hasText: 'order-4711' });
    await rows.first().waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    assert.match(await rows.first().innerText(), /REST API/);
    await page.getByLabel('Channel').selectOption('sms');
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/channel=sms/);
    assert.equal(await page.getByRole('row').filter({ hasText: 'WhatsApp' }).count(), 0);
  });

  it('switches to German and back', async () => {
    page = await openSuite(browser, running.baseUrl, 'de-AT');
    await signIn(page, user).catch(() => {});
    // The browser asks for German: the sign-in page is German already.
    await page.goto('/suite/sign-in');
    await page.getByLabel('E-Mail').fill(user.email);
    await page.getByLabel('Passwort').fill(user.password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Gesendet' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sent' }).waitFor();
    await page.getByRole('link', { name: 'Deutsch' }).click();
    await page.getByRole('link', { name: 'Verfassen' }).click();
    await page.getByRole('heading', { name: 'Verfassen' }).waitFor();
  });

  it('shows an invalid forwarding URL next to its field and saves nothing', async () => {
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, user);
    await page.getByRole('link', { name: 'Forwarding', exact: true }).click();
    await page.getByLabel('Destination for Suite').first().selectOption('url');
    await page.locator('#sms-suite-url').fill('ftp://example.com/receipts');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.locator('#sms-suite-url').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#sms-suite-url-error').innerText(), /url must be an absolute http or https URL|http or https/);
    const { body } = await running.api('GET', '/v1/forwarding');
    assert.deepEqual(body.sms.suite, { type: 'none' });
  });

  it('changes and saves forwarding, and the API reads the same document', async () => {
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, user);
    await page.goto('/suite/forwarding');
    const enabled = page.getByRole('switch', { name: 'Forward status changes' });
    assert.equal(await enabled.isChecked(), true);
    await page.locator('#sms-suite-type').selectOption('url');
    await page.locator('#sms-suite-url').fill(receiver.url);
    await page.locator('#sms-suite-format').selectOption('xml');
    await page.getByLabel('read', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'The forwarding rules are saved.' }).waitFor();
    const { body } = await running.api('GET', '/v1/forwarding');
    assert.deepEqual(body.sms.suite, { type: 'url', url: receiver.url, format: 'xml' });
    assert.deepEqual(body.ott.statuses, ['submitted', 'delivered', 'rejected', 'undeliverable']);
    assert.equal(body.enabled, true);
    // A test callback to the destination as typed: the receiver's answer is shown, nothing is stored.
    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send a test callback for Suite (SMS and MMS receipts)' }).click();
    await page.getByRole('status').filter({ hasText: /^Test callback delivered: HTTP 200 in \d+ ms\./ }).waitFor();
    assert.equal(receiver.received.length, before + 1);
    assert.match(receiver.received[before]!.body, /<client_ref>statusrelay-test<\/client_ref>/);
    assert.ok(receiver.received[before]!.headers['webhook-signature']);
    // Back to JSON for the tests after this one.
    await page.locator('#sms-suite-format').selectOption('json');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').waitFor();
  });

  it("opens a message's timeline with its callbacks and attempts, and replays one", async () => {
    page = await openSuite(browser, running.baseUrl);
    await composeSms(page, user, '436641234570', 'Timeline please');
    await page.getByRole('status').filter({ hasText: 'The message was sent.' }).waitFor();
    const uuid = await uuidInSent(page, '436641234570');
    const mine = () => receiver.received.filter((callback) => callback.json?.message_uuid === uuid);
    // The SMS asked for a delivery receipt: delivered (and failures) are forwarded, submitted is not.
    await waitFor(() => mine().length > 0, await settleTimeout(running, uuid), 'the receipt');
    // Delivered, or rejected for the few in a hundred the simulator refuses: one receipt either way.
    const receipt = mine()[0]!.json.status as string;
    await page.getByRole('row').filter({ hasText: '436641234570' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Timeline', exact: true }).waitFor();
    const timeline = page.locator('table').first();
    assert.match(await timeline.innerText(), new RegExp(`submitted[^]*${receipt}`));
    assert.match(await timeline.innerText(), /0\.0333 EUR/);
    await page.getByRole('heading', { name: 'Callbacks', exact: true }).waitFor();
    assert.match(await page.getByRole('table', { name: 'Attempts' }).first().innerText(), /delivered · HTTP 200/);
    const before = mine().length;
    await page.getByRole('button', { name: `Replay the ${receipt} callback to ${receiver.url}` }).click();
    await page.getByRole('status').filter({ hasText: 'The callback is queued again.' }).waitFor();
    await waitFor(() => mine().length > before, 10_000, 'the replayed callback');
    const sent = mine().filter((callback) => callback.json.status === receipt);
    assert.ok(sent.length >= 2);
    assert.equal(new Set(sent.map((callback) => callback.headers['webhook-id'])).size, 1, 'a replay keeps its webhook-id');
  });

  it('lists a dead letter under its destination and replays it', async () => {
    answer = 503;
    page = await openSuite(browser, running.baseUrl);
    await composeSms(page, user, '436641234571', 'Nobody listens');
    const uuid = await uuidInSent(page, '436641234571');
    const dead = async () => (await running.relay.store.listCallbacks(uuid)).filter((callback) => callback.state === 'dead');
    // Dead once the retry window (3 s) has passed after the receipt.
    await waitFor(async () => (await dead()).length > 0, await settleTimeout(running, uuid), 'a dead letter');
    answer = 200;
    await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
    const group = page.getByRole('region', { name: receiver.url });
    assert.match(await group.innerText(), /HTTP 503/);
    const mine = () => receiver.received.filter((callback) => callback.json?.message_uuid === uuid && callback.headers['webhook-id'] !== undefined);
    const before = mine().length;
    await group.getByRole('row').filter({ hasText: uuid }).first().getByRole('button', { name: /^Replay/ }).click();
    await page.getByRole('status').filter({ hasText: 'queued again' }).waitFor();
    await waitFor(() => mine().length > before, 10_000, 'the replayed dead letter');
  });

  it("draws the overview charts from the account's messages", async () => {
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, user);
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('heading', { name: 'Messages per day and status' }).waitFor();
    // uPlot drew both charts (one canvas each) from the page's own data.
    await page.locator('#chart-messages canvas').waitFor();
    await page.locator('#chart-callbacks canvas').waitFor();
    const rates = page.locator('table', { has: page.getByRole('columnheader', { name: 'Rate', exact: true }) });
    assert.match(await rates.getByRole('row', { name: /^SMS/ }).innerText(), /SMS\s+\d+\s+\d+\s+\d+\.\d %/);
    const today = new Date().toISOString().slice(0, 10);
    const messagesToday = page.getByRole('table', { name: 'Messages per day and status' }).getByRole('row', { name: new RegExp(today) });
    assert.match(await messagesToday.innerText(), /[1-9]/);
  });

  it("a second account's user sees none of the first account's messages", async () => {
    const other = await addSuiteUser(running, 'ops@other.example', false);
    page = await openSuite(browser, running.baseUrl);
    await signIn(page, other);
    await page.getByRole('heading', { name: 'Sent' }).waitFor();
    assert.equal(await page.getByText('No messages match.').isVisible(), true);
    const { body } = await running.api('POST', '/v1/messages', { channel: 'sms', message_type: 'text', to: '436641234500', from: 'ACME', text: 'Hi' });
    const response = await page.goto(`/suite/messages/${body.message_uuid}`);
    assert.equal(response?.status(), 404);
  });

  it('has no serious accessibility violations on any page (axe-core)', async () => {
    page = await openSuite(browser, running.baseUrl);
    await page.goto('/suite/sign-in');
    const found: string[] = [];
    const scan = async (path: string) => {
      if (path !== '/suite/sign-in') await page.goto(path);
      for (const violation of await seriousViolations(page)) found.push(`${path}: ${violation.id} (${violation.help}) at ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };
    await scan('/suite/sign-in');
    await signIn(page, user);
    const { body } = await running.api('GET', '/v1/messages/' + (await running.relay.store.listAccountMessages(user.accountId, {}, 1))[0]!.uuid);
    for (const path of ['/suite/compose', '/suite/sent', `/suite/messages/${body.message_uuid}`, '/suite/forwarding', '/suite/dead-letters', '/suite/overview', '/suite/account']) await scan(path);
    assert.deepEqual(found, []);
  });
});

/**
 * The Messaging Suite in tests: users made the CLI's way, an HTTP client that keeps the suite's
 * cookies (for server-side checks without a browser), and Debian's Chromium driven by
 * playwright-core, with a screenshot per test for reviewers (test-screenshots/, git-ignored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createUser } from '../../src/intake/suite/users.js';
import { createAccount } from '../../src/intake/accounts.js';
import { planReports } from '../../src/carriage/simulator/plan.js';
import type { RunningRelay } from './relay.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = 'test-screenshots';
export const PASSWORD = 'correct horse battery staple';

export interface SuiteUserLogin {
  accountId: string;
  email: string;
  password: string;
}

/** A user of the relay's own account (or of a new account when `ownAccount` is false). */
export async function addSuiteUser(running: RunningRelay, email: string, ownAccount = true): Promise<SuiteUserLogin> {
  const accountId = ownAccount ? running.credentials.account_id : (await createAccount(running.relay.store, `other ${email}`, Date.now())).account_id;
  await createUser(running.relay.store, { accountId, email, password: PASSWORD }, Date.now());
  return { accountId, email, password: PASSWORD };
}

/**
 * How long to wait for a message to settle on the relay's simulator: its plan's last report
 * (scaled by SIMULATOR_TIME_SCALE) plus `slackMs`. In real time most SMS settle within 5 s, but
 * the few in a hundred the plan lets expire take 30 to 120 s, and a fixed wait would fail on them.
 */
export async function settleTimeout(running: RunningRelay, uuid: string, slackMs = 15_000): Promise<number> {
  const message = await running.relay.store.getMessage(uuid);
  assert.ok(message, `message ${uuid} is stored`);
  const { seed, timeScale } = running.relay.config.simulator;
  return Math.max(...planReports(message, seed).map((report) => report.afterMs)) * timeScale + slackMs;
}

export interface SuiteResponse {
  status: number;
  body: string;
  headers: Headers;
}

/** A cookie-keeping HTTP client of the suite, as a browser without scripts would be. */
export function suiteClient(baseUrl: string) {
  const cookies = new Map<string, string>();
  const remember = (headers: Headers) => {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!.trim(), value.join('='));
    }
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const client = {
    cookies,
    async get(url: string, headers: Record<string, string> = {}): Promise<SuiteResponse> {
      const response = await fetch(baseUrl + url, { redirect: 'manual', headers: { cookie: cookieHeader(), ...headers } });
      remember(response.headers);
      return { status: response.status, body: await response.text(), headers: response.headers };
    },
    async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<SuiteResponse> {
      const response = await fetch(baseUrl + url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
      remember(response.headers);
      return { status: response.status, body: await response.text(), headers: response.headers };
    },
    /** The CSRF token of the page's forms. */
    csrfOf: (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '',
    async signIn(login: { email: string; password: string }): Promise<SuiteResponse> {
      const form = await client.get('/suite/sign-in');
      return client.post('/suite/sign-in', { _csrf: client.csrfOf(form.body), email: login.email, password: login.password });
    },
  };
  return client;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A fresh browser context (own cookies) on the suite, in English unless told. */
export async function openSuite(browser: Browser, baseUrl: string, locale = 'en-US'): Promise<Page> {
  // Scripts injected by the test (axe-core) would otherwise be refused by the suite's CSP.
  const context = await browser.newContext({ baseURL: baseUrl, locale, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

export async function signIn(page: Page, login: { email: string; password: string }): Promise<void> {
  await page.goto('/suite/sign-in');
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`), fullPage: true });
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's violations of the page that are serious or critical. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe.run();
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map((node) => ({ target: node.target as string[] })) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

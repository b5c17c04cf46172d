/** Smaller hardening: strict `since` dates, constant-time token checks, 415 for non-JSON bodies. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseIsoTime } from '../src/model/iso-time.js';
import { sameSecret } from '../src/model/same-secret.js';
import { startRelay, type RunningRelay } from './helpers/relay.js';

describe('parseIsoTime', () => {
  for (const [value, expected] of [
    ['2026-11-23T00:00:00Z', Date.UTC(2026, 10, 23)],
    ['2026-11-23', Date.UTC(2026, 10, 23)],
    ['2028-02-29T12:00:00.5+01:00', Date.UTC(2028, 1, 29, 11, 0, 0, 500)],
    ['2026-02-28T23:59:59Z', Date.UTC(2026, 1, 28, 23, 59, 59)],
  ] as const) {
    it(`accepts ${value}`, () => assert.equal(parseIsoTime(value), expected));
  }
  for (const value of ['2026-02-30', '2026-02-29T00:00:00Z', '2026-04-31', '2026-13-01', '2026-00-10', '2026-11-23T24:00:00Z', '2026-11-23T10:60Z', 'Feb 3 2026', '1', '', 'not a date', 20261123]) {
    it(`refuses ${JSON.stringify(value)}`, () => assert.equal(parseIsoTime(value), undefined));
  }
});

describe('WhatsApp verify token comparison', () => {
  it('is equality, for every length, without throwing', () => {
    assert.equal(sameSecret('verify-me', 'verify-me'), true);
    assert.equal(sameSecret('verify-mf', 'verify-me'), false);
    assert.equal(sameSecret('verify', 'verify-me'), false);
    assert.equal(sameSecret('', 'verify-me'), false);
    assert.equal(sameSecret(undefined, 'verify-me'), false);
    assert.equal(sameSecret(['verify-me'], 'verify-me'), false);
  });
});

describe('API', () => {
  let relay: RunningRelay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.stop());

  for (const since of ['2026-02-30', '2026-02-30T00:00:00Z', '1', 'Feb 30 2026']) {
    it(`POST /v1/callbacks/replay since ${since} → 422 since`, async () => {
      const answer = await relay.api('POST', '/v1/callbacks/replay', { since });
      assert.equal(answer.status, 422);
      assert.deepEqual(answer.body.invalid_parameters.map((p: { name: string }) => p.name), ['since']);
    });
  }

  it('an unknown api_key and a wrong secret are both 401', async () => {
    for (const auth of ['nobody:secret', `${relay.credentials.api_key}:wrong`]) {
      const answer = await fetch(`${relay.baseUrl}/v1/account`, { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } });
      assert.equal(answer.status, 401);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
  });
});

describe('errors before routing are problem+json', () => {
  let relay: RunningRelay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.stop());

  /** One raw HTTP exchange, so malformed requests reach the server as they are. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(relay.baseUrl);
      const socket = net.connect(Number(url.port), url.hostname, () => socket.end(request));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });

  it('text/plain body → 415 problem+json', async () => {
    const answer = await fetch(`${relay.baseUrl}/v1/messages`, { method: 'POST', headers: { authorization: relay.auth, 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(answer.status, 415);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  it('bad percent-encoding in the URL → 400 problem+json', async () => {
    const answer = await raw(`GET /v1/messages/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: ${relay.auth}\r\nConnection: close\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /content-type: application\/problem\+json/i);
    assert.match(answer, /"status":400/);
  });

  it('headers over the limit → 431 problem+json with Connection: close', async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.match(answer, /Content-Type: application\/problem\+json/);
    assert.match(answer, /Connection: close/);
    assert.match(answer, /"status":431/);
  });
});

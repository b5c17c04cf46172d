import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createHttpSender, type HttpSender } from '../src/dispatch/senders/http.js';
import { claimedCallback, TEST_SECRET } from './helpers/fixtures.js';
import { listenHttp, type HttpPeer } from './helpers/http.js';
import { loopbackPolicy, verifyCallback } from './helpers/relay.js';
import { freePort } from './helpers/process.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Why the customer's check (helpers/relay.ts verifyCallback) refused it; undefined when it passed. */
  problem?: string;
}

function problemOf(body: string, headers: IncomingMessage['headers']): string | undefined {
  try {
    verifyCallback(body, headers, TEST_SECRET);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('HTTP sender', () => {
  const received: Received[] = [];
  let server: HttpPeer;
  let base: string;
  let sender: HttpSender;

  before(async () => {
    server = await listenHttp((req, body, res) => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body, problem: problemOf(body, req.headers) });
      if (path === '/hang') return; // never answers
      const status = Number(path.slice(1)) || 200;
      if (status === 429) res.setHeader('retry-after', '7');
      res.statusCode = status;
      res.end(status >= 400 ? `error page for ${status} ` + 'x'.repeat(500) : 'ok');
    });
    base = server.baseUrl;
    sender = createHttpSender({ connectTimeoutMs: 1_000, responseTimeoutMs: 200, connectionsPerOrigin: 4, issuer: 'statusrelay', addressPolicy: loopbackPolicy() });
  });

  after(async () => {
    await sender.close();
    await server.close();
  });

  const send = (path: string) =>
    sender.send(claimedCallback({ destination: { type: 'url', url: base + path } }), Date.now());

  it('200 → delivered; the request is a signed POST with content type and user agent', async () => {
    const callback = claimedCallback({ destination: { type: 'url', url: `${base}/200` } });
    const outcome = await sender.send(callback, Date.now());
    assert.equal(outcome.verdict, 'delivered');
    assert.equal(outcome.statusCode, 200);
    assert.equal(outcome.error, undefined);
    assert.ok(outcome.durationMs >= 0);
    const request = received.find((r) => r.headers['webhook-id'] === callback.id)!;
    assert.equal(request.problem, undefined);
    assert.equal(request.body, callback.body);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'statusrelay/0.1');
  });

  for (const code of [500, 503]) {
    it(`${code} → retry with the status and its reason phrase, never the receiver's body`, async () => {
      const outcome = await send(`/${code}`);
      assert.equal(outcome.verdict, 'retry');
      assert.equal(outcome.statusCode, code);
      assert.equal(outcome.error, `HTTP ${code} ${STATUS_CODES[code]}`);
      assert.doesNotMatch(outcome.error!, /error page/);
      assert.equal(outcome.retryAfterMs, undefined);
    });
  }

  it('429 with Retry-After: 7 → retry after 7000 ms', async () => {
    const outcome = await send('/429');
    assert.equal(outcome.verdict, 'retry');
    assert.equal(outcome.statusCode, 429);
    assert.equal(outcome.retryAfterMs, 7_000);
  });

  for (const code of [410, 404]) {
    it(`${code} → failed`, async () => {
      const outcome = await send(`/${code}`);
      assert.equal(outcome.verdict, 'failed');
      assert.equal(outcome.statusCode, code);
      assert.match(outcome.error!, new RegExp(`^HTTP ${code}`));
    });
  }

  it('a receiver that never answers → retry with a timeout error', async () => {
    const started = Date.now();
    const outcome = await send('/hang');
    assert.equal(outcome.verdict, 'retry');
    assert.equal(outcome.statusCode, undefined);
    assert.match(outcome.error!, /timeout/);
    assert.ok(Date.now() - started < 2_000);
  });

  it('a closed port → retry ECONNREFUSED', async () => {
    const port = await freePort();
    const outcome = await sender.send(
      claimedCallback({ destination: { type: 'url', url: `http://127.0.0.1:${port}/x` } }),
      Date.now(),
    );
    assert.deepEqual({ verdict: outcome.verdict, error: outcome.error }, { verdict: 'retry', error: 'ECONNREFUSED' });
  });

  it('a non-URL destination → failed without a request', async () => {
    const outcome = await sender.send(claimedCallback({ destination: { type: 'email', address: 'a@b.example' } }), Date.now());
    assert.equal(outcome.verdict, 'failed');
    assert.match(outcome.error!, /email/);
  });

  it('every request the receiver saw verified with both verifiers', () => {
    assert.ok(received.length >= 7, String(received.length));
    for (const request of received) assert.equal(request.problem, undefined, request.path);
  });
});

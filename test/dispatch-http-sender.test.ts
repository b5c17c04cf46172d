import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifySignature } from '@vonage/jwt';
import { Webhook } from 'standardwebhooks';
import { createHttpSender, type HttpSender } from '../src/dispatch/senders/http.js';
import { claimedCallback, TEST_SECRET } from './helpers/fixtures.js';
import { loopbackPolicy } from './helpers/relay.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Empty when both signatures checked out, otherwise what failed. */
  problems: string[];
}

/** Checks a request the way a customer's receiver would, with both published verifiers. */
function verify(req: IncomingMessage, body: string): string[] {
  const problems: string[] = [];
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  if (!verifySignature(token, TEST_SECRET)) problems.push('jwt signature');
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as Record<string, unknown>;
  if (claims.payload_hash !== createHash('sha256').update(body).digest('hex')) problems.push('payload_hash');
  try {
    new Webhook(TEST_SECRET).verify(body, req.headers as Record<string, string>, { jsonParse: false });
  } catch (err) {
    problems.push(`standard webhooks: ${(err as Error).message}`);
  }
  return problems;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('HTTP sender', () => {
  const received: Received[] = [];
  let server: Server;
  let base: string;
  let sender: HttpSender;

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        received.push({ path, headers: req.headers, body, problems: verify(req, body) });
        if (path === '/hang') return; // never answers
        const status = Number(path.slice(1)) || 200;
        if (status === 429) res.setHeader('retry-after', '7');
        res.statusCode = status;
        res.end(status >= 400 ? `error page for ${status} ` + 'x'.repeat(500) : 'ok');
      });
    });
    base = `http://127.0.0.1:${await listen(server)}`;
    sender = createHttpSender({ connectTimeoutMs: 1_000, responseTimeoutMs: 200, connectionsPerOrigin: 4, issuer: 'statusrelay', addressPolicy: loopbackPolicy() });
  });

  after(async () => {
    await sender.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
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
    assert.deepEqual(request.problems, []);
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
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
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
    for (const request of received) assert.deepEqual(request.problems, [], request.path);
  });
});

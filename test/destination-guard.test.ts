/**
 * The destination guard: pure address classification (every spelling), the connect-time check in
 * the HTTP sender against real listeners on 127.0.0.1 (with and without the allowlist), names
 * that resolve to forbidden addresses, redirects, and the API refusing literal addresses with 422.
 * These tests run WITHOUT the loopback allowlist the other tests get from FAST_ENV.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import {
  classifyIp,
  createAddressPolicy,
  parseCidrList,
  parseIp,
  urlHostRefusal,
} from '../src/model/address.js';
import { createHttpSender, type HttpSender } from '../src/dispatch/senders/http.js';
import { guardedLookup } from '../src/dispatch/senders/destination-guard.js';
import { loadConfig } from '../src/config.js';
import { claimedCallback } from './helpers/fixtures.js';
import { loopbackPolicy, startRelay } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';

const strict = createAddressPolicy();

/** Host spellings (as they appear in a URL) and the range they fall in. */
const FORBIDDEN: ReadonlyArray<[string, RegExp]> = [
  ['127.0.0.1', /loopback/],
  ['127.1', /loopback/],
  ['127.0.1', /loopback/],
  ['2130706433', /loopback/],
  ['0x7f000001', /loopback/],
  ['0x7f.0.0.1', /loopback/],
  ['0177.0.0.1', /loopback/],
  ['0177.1', /loopback/],
  ['017700000001', /loopback/],
  ['127.0.0.1.', /loopback/],
  ['127.255.255.254', /loopback/],
  ['[::1]', /loopback/],
  ['[0:0:0:0:0:0:0:1]', /loopback/],
  ['[::ffff:127.0.0.1]', /IPv4-mapped loopback/],
  ['[::ffff:7f00:1]', /IPv4-mapped loopback/],
  ['[::127.0.0.1]', /loopback/],
  ['[64:ff9b::127.0.0.1]', /NAT64 loopback/],
  ['[2002:7f00:1::]', /6to4 loopback/],
  ['0.0.0.0', /unspecified/],
  ['0', /unspecified/],
  ['[::]', /unspecified/],
  ['10.0.0.1', /private/],
  ['012.0.0.1', /private/],
  ['167772161', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['0xc0a80101', /private/],
  ['[::ffff:192.168.1.1]', /IPv4-mapped private/],
  ['[::ffff:c0a8:101]', /IPv4-mapped private/],
  ['[fc00::1]', /unique local/],
  ['[fd12:3456::1]', /unique local/],
  ['169.254.0.1', /link-local/],
  ['[fe80::1]', /link-local/],
  ['[febf::1]', /link-local/],
  ['100.64.0.1', /CGNAT/],
  ['100.127.255.255', /CGNAT/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['[ff02::1]', /multicast/],
  ['255.255.255.255', /reserved/],
  ['240.0.0.1', /reserved/],
  ['192.0.2.1', /documentation/],
  ['198.51.100.7', /documentation/],
  ['203.0.113.9', /documentation/],
  ['[2001:db8::1]', /documentation/],
  ['198.18.0.1', /benchmarking/],
  ['169.254.169.254', /metadata/],
  ['2852039166', /metadata/],
  ['0xa9fea9fe', /metadata/],
  ['0251.0376.0251.0376', /metadata/],
  ['[::ffff:169.254.169.254]', /metadata/],
  ['[::ffff:a9fe:a9fe]', /metadata/],
  ['[fd00:ec2::254]', /metadata/],
  ['100.100.100.200', /metadata/],
  ['localhost', /loopback/],
  ['LOCALHOST.', /loopback/],
  ['api.localhost', /loopback/],
];

const PUBLIC = ['93.184.215.14', '8.8.8.8', '1.1.1.1', '[2606:4700:4700::1111]', '[::ffff:8.8.8.8]', '172.32.0.1', '100.128.0.1', 'example.com', 'hooks.example.org'];

describe('address classification (pure)', () => {
  for (const [host, reason] of FORBIDDEN) {
    it(`refuses http://${host}/`, () => {
      const refusal = urlHostRefusal(`http://${host}/x`, strict);
      assert.ok(refusal, `${host} passed`);
      assert.match(refusal, reason);
    });
  }
  for (const host of PUBLIC) {
    it(`lets http://${host}/ through`, () => assert.equal(urlHostRefusal(`http://${host}/x`, strict), undefined));
  }

  it('parses loose IPv4 and IPv6 to bytes', () => {
    assert.deepEqual(parseIp('127.1'), { family: 4, bytes: [127, 0, 0, 1] });
    assert.deepEqual(parseIp('0x7f.1'), { family: 4, bytes: [127, 0, 0, 1] });
    assert.deepEqual(parseIp('0300.0250.1.1'), { family: 4, bytes: [192, 168, 1, 1] });
    assert.deepEqual(parseIp('::ffff:1.2.3.4')?.bytes.slice(10), [0xff, 0xff, 1, 2, 3, 4]);
    assert.deepEqual(parseIp('fe80::1%eth0')?.bytes.slice(0, 2), [0xfe, 0x80]);
    assert.equal(parseIp('256.1.1.1'), undefined);
    assert.equal(parseIp('1.2.3.4.5'), undefined);
    assert.equal(parseIp('08.1.1.1'), undefined);
    assert.equal(parseIp('example.com'), undefined);
    assert.equal(parseIp('1::2::3'), undefined);
  });

  it('classifies resolved addresses as the sender sees them', () => {
    assert.match(classifyIp(parseIp('::ffff:10.1.2.3')!)!, /private/);
    assert.equal(classifyIp(parseIp('2606:4700::1')!), undefined);
    assert.match(classifyIp(parseIp('2001:0:4136:e378::1')!)!, /Teredo/);
  });

  it('the allowlist opts networks back in, and only those', () => {
    const policy = createAddressPolicy(parseCidrList('127.0.0.0/8, ::1/128'));
    assert.equal(policy.refusal('127.0.0.1'), undefined);
    assert.equal(policy.refusal('127.9.9.9'), undefined);
    assert.equal(policy.refusal('::1'), undefined);
    assert.equal(policy.refusal('::ffff:127.0.0.1'), undefined, 'a mapped allowed address is allowed');
    assert.match(policy.refusal('10.0.0.1')!, /private/);
    assert.match(policy.refusal('169.254.169.254')!, /metadata/);
    assert.equal(urlHostRefusal('http://localhost:1/', policy), undefined);
  });

  it('ALLOWED_DESTINATION_NETWORKS is validated at start', () => {
    assert.deepEqual(loadConfig({ ALLOWED_DESTINATION_NETWORKS: '10.0.0.0/8' }).destinationGuard.allowedNetworks.map((c) => c.prefix), [8]);
    assert.equal(loadConfig({}).destinationGuard.allowedNetworks.length, 0);
    for (const bad of ['10.0.0.0/33', 'nope', '127.1/8', '::1/129', '1.2.3.4/8/9']) {
      assert.throws(() => loadConfig({ ALLOWED_DESTINATION_NETWORKS: bad }), /^ConfigError: ALLOWED_DESTINATION_NETWORKS must be comma-separated CIDR/, bad);
    }
  });
});

test('guardedLookup: a name resolving only to forbidden addresses fails; mixed answers keep the public ones', async () => {
  const fake = (answer: Array<{ address: string; family: number }>) =>
    ((_host: string, _options: unknown, cb: (err: null, a: typeof answer) => void) => cb(null, answer)) as never;
  const lookup = (resolver: never, all: boolean) =>
    new Promise<{ err: any; result: unknown }>((resolve) =>
      (guardedLookup(strict, resolver) as any)('internal.example', { all }, (err: unknown, result: unknown) => resolve({ err, result })),
    );
  const internal = await lookup(fake([{ address: '10.1.2.3', family: 4 }, { address: 'fd00::1', family: 6 }]), true);
  assert.equal(internal.err?.code, 'ERR_DESTINATION_NOT_ALLOWED');
  const mixed = await lookup(fake([{ address: '127.0.0.1', family: 4 }, { address: '93.184.215.14', family: 4 }]), false);
  assert.equal(mixed.err, null);
  assert.equal(mixed.result, '93.184.215.14');
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('HTTP sender against listeners on 127.0.0.1', () => {
  let server: Server;
  let port: number;
  let hits: string[];
  let strictSender: HttpSender;
  let allowSender: HttpSender;

  before(async () => {
    hits = [];
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        if (req.url === '/redirect') {
          res.writeHead(302, { location: `http://127.0.0.1:${port}/target` });
          return res.end('moved');
        }
        if (req.url === '/secret') {
          res.writeHead(500);
          return res.end('internal: db password is hunter2');
        }
        res.end('ok');
      });
    });
    port = await listen(server);
    const options = { connectTimeoutMs: 1_000, responseTimeoutMs: 1_000, connectionsPerOrigin: 2, issuer: 'statusrelay' };
    strictSender = createHttpSender(options);
    allowSender = createHttpSender({ ...options, addressPolicy: loopbackPolicy() });
  });

  after(async () => {
    await strictSender.close();
    await allowSender.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (sender: HttpSender, url: string) => sender.send(claimedCallback({ destination: { type: 'url', url } }), Date.now());

  const LOOPBACK_SPELLINGS = ['127.0.0.1', '127.1', '2130706433', '0x7f000001', '0x7f.0.0.1', '0177.0.0.1', '017700000001', '[::ffff:127.0.0.1]', 'localhost'];

  for (const host of LOOPBACK_SPELLINGS) {
    it(`without the allowlist: http://${host}:<port>/ is refused for good and nothing reaches the listener`, async () => {
      const before = hits.length;
      const outcome = await send(strictSender, `http://${host}:${port}/guarded`);
      assert.deepEqual({ verdict: outcome.verdict, error: outcome.error }, { verdict: 'failed', error: 'destination address not allowed' });
      assert.equal(hits.length, before);
    });
    it(`with 127.0.0.0/8 allowed: http://${host}:<port>/ is delivered`, async () => {
      const before = hits.length;
      const outcome = await send(allowSender, `http://${host}:${port}/allowed`);
      assert.equal(outcome.verdict, 'delivered', outcome.error);
      assert.equal(hits.length, before + 1);
    });
  }

  it('a metadata address is refused without a connection attempt even with loopback allowed', async () => {
    const outcome = await send(allowSender, 'http://169.254.169.254/latest/meta-data/');
    assert.deepEqual({ verdict: outcome.verdict, error: outcome.error }, { verdict: 'failed', error: 'destination address not allowed' });
    assert.ok(outcome.durationMs < 500);
  });

  it('a redirect is not followed: retried, recorded with its Location', async () => {
    const before = hits.length;
    const outcome = await send(allowSender, `http://127.0.0.1:${port}/redirect`);
    assert.equal(outcome.verdict, 'retry');
    assert.equal(outcome.statusCode, 302);
    assert.equal(outcome.error, `HTTP 302 redirect to http://127.0.0.1:${port}/target (not followed)`);
    assert.deepEqual(hits.slice(before), ['/redirect'], 'the target was never requested');
  });

  it("the receiver's response body never reaches the attempt log", async () => {
    const outcome = await send(allowSender, `http://127.0.0.1:${port}/secret`);
    assert.equal(outcome.error, 'HTTP 500 Internal Server Error');
  });
});

describe('API refuses literal forbidden addresses with 422 naming the field (no allowlist)', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  before(async () => {
    relay = await startRelay({ ALLOWED_DESTINATION_NETWORKS: '' });
  });
  after(() => relay.stop());

  const cases: ReadonlyArray<[string, string, string, unknown, string]> = [
    ['webhook_url loopback', 'POST', '/v1/messages', textMessage({ webhook_url: 'http://127.0.0.1:8080/x' }), 'webhook_url'],
    ['webhook_url octal loopback', 'POST', '/v1/messages', textMessage({ webhook_url: 'http://0177.1/x' }), 'webhook_url'],
    ['failover webhook_url', 'POST', '/v1/messages', textMessage({ failover: [textMessage({ webhook_url: 'http://[::ffff:a9fe:a9fe]/' })] }), 'failover[0].webhook_url'],
    ['webhook_url with credentials', 'POST', '/v1/messages', textMessage({ webhook_url: 'https://user:pw@example.com/x' }), 'webhook_url'],
    ['status_url metadata', 'PATCH', '/v1/account', { status_url: 'http://169.254.169.254/' }, 'status_url'],
    ['status_url localhost', 'PATCH', '/v1/account', { status_url: 'http://localhost:9/' }, 'status_url'],
    ['forwarding url private', 'PUT', '/v1/forwarding', { ott: { api: { type: 'url', url: 'http://10.0.0.1/', format: 'json' } } }, 'ott.api.url'],
    ['forwarding url decimal', 'PUT', '/v1/forwarding', { sms: { suite: { type: 'url', url: 'http://3232235777/', format: 'json' } } }, 'sms.suite.url'],
  ];
  for (const [name, method, path, body, field] of cases) {
    it(`${name} → 422 ${field}`, async () => {
      const answer = await relay.api(method, path, body);
      assert.equal(answer.status, 422, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.invalid_parameters.map((p: { name: string }) => p.name), [field]);
      assert.match(answer.body.invalid_parameters[0].reason, field === 'webhook_url' && name.includes('credentials') ? /credentials/ : /destination guard/);
    });
  }

  it('a public URL is still accepted', async () => {
    const answer = await relay.api('POST', '/v1/messages', textMessage({ webhook_url: 'https://hooks.example.com/x' }));
    assert.equal(answer.status, 202);
  });
});

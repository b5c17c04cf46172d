/**
 * SQS queue URLs may only name Amazon SQS (or the configured SQS_ENDPOINT's host): otherwise the
 * SDK would send a request signed with the service's own AWS identity to any host a tenant names.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { queueHostProblem } from '../src/model/destination.js';
import { createSqsSender } from '../src/dispatch/senders/sqs.js';
import { claimedCallback } from './helpers/fixtures.js';
import { startRelay, type RunningRelay } from './helpers/relay.js';

const AWS_OK = [
  'https://sqs.eu-central-1.amazonaws.com/123456789012/status',
  'https://sqs.us-east-1.amazonaws.com/123456789012/status.fifo',
  'https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/q',
  'https://eu-west-1.queue.amazonaws.com/123456789012/q',
  'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q',
];
const FOREIGN = [
  'http://127.0.0.1:9/000000000000/q',
  'https://attacker.example/123456789012/q',
  'https://sqs.us-east-1.amazonaws.com.attacker.example/123456789012/q',
  'https://sqsXus-east-1.amazonaws.com/123456789012/q',
  'http://sqs.us-east-1.amazonaws.com/123456789012/q',
  'https://sqs.us-east-1.amazonaws.com:8443/123456789012/q',
  'https://user:pw@sqs.us-east-1.amazonaws.com/123456789012/q',
  'https://169.254.169.254/123456789012/q',
];

describe('queue URL hosts (pure)', () => {
  for (const url of AWS_OK) it(`allowed: ${url}`, () => assert.equal(queueHostProblem(url), undefined));
  for (const url of FOREIGN) it(`refused: ${url}`, () => assert.ok(queueHostProblem(url)));
  it("with SQS_ENDPOINT, its host is allowed too (any port), others still not", () => {
    assert.equal(queueHostProblem('http://127.0.0.1:9/000000000000/q', 'http://127.0.0.1:4566'), undefined);
    assert.equal(queueHostProblem(AWS_OK[0]!, 'http://127.0.0.1:4566'), undefined);
    assert.match(queueHostProblem('http://10.0.0.1:4566/000000000000/q', 'http://127.0.0.1:4566')!, /127\.0\.0\.1/);
    // An emulator on this machine names its queues sqs.<region>.localhost.
    assert.equal(queueHostProblem('http://sqs.eu-central-1.localhost:4566/000000000000/q', 'http://127.0.0.1:4566'), undefined);
    assert.ok(queueHostProblem('http://sqs.eu-central-1.localhost:4566/000000000000/q'));
    assert.ok(queueHostProblem('http://sqs.eu-central-1.localhost:4566/000000000000/q', 'http://10.1.1.1:4566'));
  });
});

describe('PUT /v1/forwarding refuses foreign queue hosts with 422', () => {
  let plain: RunningRelay;
  let emulated: RunningRelay;
  before(async () => {
    plain = await startRelay();
    emulated = await startRelay({ SQS_ENDPOINT: 'http://127.0.0.1:4566' });
  });
  after(async () => {
    await plain.stop();
    await emulated.stop();
  });
  const rules = (queue_url: string) => ({ ott: { suite: { type: 'sqs', queue_url, format: 'json' } } });

  for (const url of FOREIGN.filter((u) => /\/\d{12}\/q$/.test(u))) {
    it(`without SQS_ENDPOINT: ${url} → 422 ott.suite.queue_url`, async () => {
      const answer = await plain.api('PUT', '/v1/forwarding', rules(url));
      assert.equal(answer.status, 422, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.invalid_parameters.map((p: { name: string }) => p.name), ['ott.suite.queue_url']);
    });
  }
  it('without SQS_ENDPOINT: an Amazon SQS queue is accepted', async () => {
    assert.equal((await plain.api('PUT', '/v1/forwarding', rules(AWS_OK[0]!))).status, 200);
  });
  it("with SQS_ENDPOINT=http://127.0.0.1:4566: a queue on 127.0.0.1 is accepted, one on another host is not", async () => {
    assert.equal((await emulated.api('PUT', '/v1/forwarding', rules('http://127.0.0.1:4566/000000000000/q'))).status, 200);
    assert.equal((await emulated.api('PUT', '/v1/forwarding', rules('http://192.0.2.1:4566/000000000000/q'))).status, 422);
  });
});

it('the SQS sender never sends to a foreign host (rows stored before the check)', async () => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sqs = { region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', sharedIdentityAccounts: ['*'] };
  const sender = createSqsSender({ sqs, connectTimeoutMs: 500, responseTimeoutMs: 500, credentialsOf: async () => undefined });
  const queue_url = `http://127.0.0.1:${port}/000000000000/q`;
  const outcome = await sender.send(claimedCallback({ destination: { type: 'sqs', queue_url }, destination_key: `sqs:${queue_url}` }), Date.now());
  await sender.close();
  server.close();
  assert.equal(outcome.verdict, 'failed');
  assert.match(outcome.error!, /queue host not allowed/);
  assert.equal(hits, 0);
});

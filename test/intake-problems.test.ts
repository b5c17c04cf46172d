import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import {
  PROBLEMS,
  ProblemError,
  problem,
  problemErrorHandler,
  problemNotFoundHandler,
} from '../src/http/problems.js';
import { validateMessageRequest } from '../src/intake/api/message-request.js';

/** A small app wired like the real API; log lines are kept so the test can see what was logged. */
function buildApp() {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = Fastify({ bodyLimit: 1024, logger: { level: 'error', stream } });
  app.setErrorHandler(problemErrorHandler());
  app.setNotFoundHandler(problemNotFoundHandler());

  app.post('/v1/messages', async (request, reply) => {
    const result = validateMessageRequest(request.body);
    if (!result.ok) {
      throw new ProblemError('invalid-parameters', { detail: 'The request has invalid parameters.', invalid_parameters: result.invalid });
    }
    return reply.code(202).send({ channel: result.value.first.channel });
  });
  app.get('/messages/:id', async () => {
    throw new ProblemError('not-found', { detail: 'No such message.' });
  });
  app.get('/conflict', async () => {
    throw new ProblemError('conflict', { detail: 'Already exists.' });
  });
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  app.get('/teapot', async () => {
    throw Object.assign(new Error('short and stout'), { statusCode: 418 });
  });
  app.post('/schema', { schema: { body: { type: 'object', required: ['to'], properties: { to: { type: 'string' } } } } }, async () => 'ok');
  return { app, logs };
}

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number) {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.equal(typeof body.instance, 'string');
  assert.ok(body.instance.length > 0, 'instance is the request id');
  return body;
}

const json = { 'content-type': 'application/json' };

test('malformed JSON -> 400 malformed-json', async () => {
  const { app } = buildApp();
  const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: json, payload: '{"channel": ' });
  const body = assertProblem(res, 400);
  assert.equal(body.type, PROBLEMS['malformed-json'].type);
  assert.equal(body.title, 'Malformed JSON body');
});

test('empty JSON body -> 400 malformed-json', async () => {
  const { app } = buildApp();
  const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: json, payload: '' });
  assert.equal(assertProblem(res, 400).type, PROBLEMS['malformed-json'].type);
});

test('body over the limit -> 413 payload-too-large', async () => {
  const { app } = buildApp();
  const payload = JSON.stringify({ text: 'x'.repeat(2000) });
  const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: json, payload });
  assert.equal(assertProblem(res, 413).type, PROBLEMS['payload-too-large'].type);
});

test('unsupported content type -> 415', async () => {
  const { app } = buildApp();
  const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
  assert.equal(assertProblem(res, 415).type, PROBLEMS['unsupported-media-type'].type);
});

test('invalid message -> 422 with invalid_parameters', async () => {
  const { app } = buildApp();
  const res = await app.inject({ method: 'POST', url: '/v1/messages', payload: { channel: 'sms', message_type: 'text', to: '+4477', from: 'Acme', text: 'hi' } });
  const body = assertProblem(res, 422);
  assert.equal(body.type, PROBLEMS['invalid-parameters'].type);
  assert.deepEqual(body.invalid_parameters.map((p: { name: string }) => p.name), ['to']);
});

test('valid message passes through untouched', async () => {
  const { app } = buildApp();
  const res = await app.inject({ method: 'POST', url: '/v1/messages', payload: { channel: 'sms', message_type: 'text', to: '447700900000', from: 'Acme', text: 'hi' } });
  assert.equal(res.statusCode, 202);
  assert.deepEqual(res.json(), { channel: 'sms' });
});

test('ProblemError -> its own status, type and request id as instance', async () => {
  const { app } = buildApp();
  const res = await app.inject({ method: 'GET', url: '/messages/abc', headers: { 'request-id': 'ignored' } });
  const body = assertProblem(res, 404);
  assert.deepEqual(body, problem('not-found', { detail: 'No such message.', instance: body.instance }));
  assertProblem(await app.inject({ method: 'GET', url: '/conflict' }), 409);
});

test('plain Error -> 500 internal, logged, without message or stack in the body', async () => {
  const { app, logs } = buildApp();
  const res = await app.inject({ method: 'GET', url: '/boom' });
  const body = assertProblem(res, 500);
  assert.equal(body.type, PROBLEMS.internal.type);
  assert.doesNotMatch(res.body, /hunter2|stack|at .*\.js/);
  assert.ok(logs.some((l) => l.includes('hunter2')), 'the error is logged for the operator');
});

test('other 4xx -> that status with a generic problem', async () => {
  const { app } = buildApp();
  const body = assertProblem(await app.inject({ method: 'GET', url: '/teapot' }), 418);
  assert.equal(body.type, 'about:blank');
  assert.equal(body.title, "I'm a Teapot");
});

test('schema validation error -> 422 with field names', async () => {
  const { app } = buildApp();
  const missing = assertProblem(await app.inject({ method: 'POST', url: '/schema', payload: {} }), 422);
  assert.deepEqual(missing.invalid_parameters.map((p: { name: string }) => p.name), ['to']);
  const wrongType = assertProblem(await app.inject({ method: 'POST', url: '/schema', payload: { to: {} } }), 422);
  assert.deepEqual(wrongType.invalid_parameters.map((p: { name: string }) => p.name), ['to']);
});

test('unknown route -> 404 problem', async () => {
  const { app } = buildApp();
  assert.equal(assertProblem(await app.inject({ method: 'GET', url: '/nope' }), 404).type, PROBLEMS['not-found'].type);
});

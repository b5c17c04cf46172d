/**
 * The OpenAPI document: valid OpenAPI 3.1 by a real validator, every route the server registers
 * is in it, every problem type and the callback payload (as a webhook) are described, and the
 * viewer at /docs is served by this process.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { loadConfig } from '../src/config.js';
import { createRelay } from '../src/relay.js';
import { PROBLEMS } from '../src/http/problems.js';
import { FAST_ENV, tempDatabaseUrl } from './helpers/relay.js';

test('GET /openapi.json is valid OpenAPI 3.1 and lists every route, problem type and the callback webhook', async () => {
  const relay = await createRelay(loadConfig({ ...FAST_ENV, DATABASE_URL: tempDatabaseUrl() }));
  const registered: Array<{ method: string; url: string; hidden: boolean }> = [];
  relay.api.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url, hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) });
  });
  const baseUrl = await relay.start();
  try {
    const answer = await fetch(`${baseUrl}/openapi.json`);
    assert.equal(answer.status, 200);
    const document = await answer.json();

    const validator = new Validator();
    const result = await validator.validate(document);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(document.openapi, '3.1.0');

    // Fastify's `:id` is OpenAPI's `{id}`; HEAD routes come with GET.
    const documented = new Set(
      Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)),
    );
    const missing = registered
      .filter((route) => !route.hidden && route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      // `/suite` and `/suite/` are one path to the generator.
      .filter((route) => !documented.has(route) && !documented.has(`${route}/`));
    assert.deepEqual(missing, [], 'every registered route is documented');
    assert.ok(registered.length >= 20, `routes seen: ${registered.length}`);

    const problemTypes = document.components.schemas.Problem.properties.type.enum;
    assert.deepEqual([...problemTypes].sort(), Object.values(PROBLEMS).map((p) => p.type).sort());
    assert.ok(document.webhooks.statusCallback.post.requestBody.content['application/json'], 'the callback as a webhook');
    assert.deepEqual(document.components.schemas.Callback.required, ['message_uuid', 'to', 'from', 'timestamp', 'status', 'channel']);
    const send = document.paths['/v1/messages'].post;
    assert.ok(send.requestBody && send.responses['202'] && send.responses['422'], 'POST /v1/messages: body, 202 and 422');

    const viewer = await fetch(`${baseUrl}/docs/static/index.html`);
    assert.equal(viewer.status, 200);
    assert.match(await viewer.text(), /swagger-ui/i);
  } finally {
    await relay.stop();
  }
});

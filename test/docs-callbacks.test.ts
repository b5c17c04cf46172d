/**
 * docs/callbacks.md stays true: its XML example is what the relay renders for its JSON example,
 * and its batch example is a batch body the public verifiers accept.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { batchRenderer, parseXmlCallback, renderBody } from '../src/dispatch/formats.js';
import { verifyCallback } from './helpers/relay.js';

const doc = fs.readFileSync(new URL('../../docs/callbacks.md', import.meta.url), 'utf8');
const block = (language: string) => {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(doc);
  assert.ok(match, `a ${language} example in docs/callbacks.md`);
  return match[1]!;
};

test('the documented XML is exactly what the documented JSON renders to, and parses back to it', () => {
  const payload = JSON.parse(block('json'));
  const xml = block('xml');
  assert.equal(renderBody(payload, 'xml').body.trimEnd(), xml);
  assert.deepEqual(parseXmlCallback(xml), payload);
});

test('the field table names every top-level field of the example', () => {
  for (const field of Object.keys(JSON.parse(block('json')))) assert.match(doc, new RegExp('`' + field + '[`.]'), field);
});

test('the documented batch verifies with the public verifiers and is the array of its items', (t) => {
  const secret = /signed with the secret\s+`(whsec_[^`]+)`/.exec(doc)?.[1];
  assert.ok(secret, 'the example names its secret');
  const [head, body] = block('http').split('\n\n') as [string, string];
  const headers = Object.fromEntries(head.split('\n').slice(1).map((line) => {
    const at = line.indexOf(': ');
    return [line.slice(0, at), line.slice(at + 2)];
  }));
  // Standard Webhooks refuses a timestamp more than five minutes off: verify at the documented time.
  t.mock.timers.enable({ apis: ['Date'], now: Number(headers['webhook-timestamp']) * 1000 });
  verifyCallback(body, headers, secret);
  assert.throws(() => verifyCallback(body.replace('delivered', 'read'), headers, secret), 'a changed item breaks the signature');
  const items = (JSON.parse(body) as object[]).map((item) => JSON.stringify(item));
  assert.equal(batchRenderer('json')!(items), body, 'items unchanged, comma-separated in [ ]');
});

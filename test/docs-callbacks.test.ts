/** docs/callbacks.md stays true: its XML example is what the relay renders for its JSON example. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parseXmlCallback, renderBody } from '../src/dispatch/formats.js';

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

/**
 * Input that used to answer 500 or to store what XML cannot carry: objects with their own
 * toString where a string belongs, and control characters, U+FFFE/U+FFFF and lone surrogates in
 * fields that end up in XML callbacks, e-mails and SMPP PDUs. Each is a 422 naming the field.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRelay, type RunningRelay } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { xmlUnsafeCharacter } from '../src/model/text.js';

describe('API input hardening', () => {
  let relay: RunningRelay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.stop());

  for (const [name, body, field] of [
    ['sms.api.type {"toString":1}', '{"sms":{"api":{"type":{"toString":1}}}}', 'sms.api.type'],
    ['ott.suite.type {"valueOf":1}', '{"ott":{"suite":{"type":{"valueOf":1,"toString":1}}}}', 'ott.suite.type'],
    ['sms.suite.type []', '{"sms":{"suite":{"type":["url"]}}}', 'sms.suite.type'],
    ['ott.suite.queue_url with U+0000', JSON.stringify({ ott: { suite: { type: 'sqs', queue_url: 'https://sqs.eu-central-1.amazonaws.com/123456789012/q\u0000', format: 'json' } } }), 'ott.suite.queue_url'],
  ] as const) {
    it(`PUT /v1/forwarding ${name} → 422 ${field}`, async () => {
      const answer = await relay.api('PUT', '/v1/forwarding', body);
      assert.equal(answer.status, 422, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.invalid_parameters.map((p: { name: string }) => p.name), [field]);
    });
  }

  const BAD: ReadonlyArray<[string, string]> = [
    ['U+0000', '\u0000'], ['U+0001', '\u0001'], ['U+0008', '\u0008'], ['U+000B', '\u000B'], ['U+000C', '\u000C'],
    ['U+001F', '\u001F'], ['U+FFFE', '\uFFFE'], ['U+FFFF', '\uFFFF'], ['lone high surrogate', '\uD800'], ['lone low surrogate', '\uDC00'],
    ['reversed pair', '\uDC00\uD800'],
  ];
  for (const [what, char] of BAD) {
    for (const [field, message] of [
      ['client_ref', textMessage({ client_ref: `ref${char}x` })],
      ['from', textMessage({ channel: 'whatsapp', from: `Brand${char}` })],
      ['text', textMessage({ text: `Hi ${char}` })],
      ['webhook_url', textMessage({ webhook_url: `https://example.com/a${char}b` })],
      ['failover[0].client_ref', textMessage({ failover: [textMessage({ client_ref: `${char}` })] })],
    ] as const) {
      it(`POST /v1/messages ${field} with ${what} → 422 ${field}`, async () => {
        const answer = await relay.api('POST', '/v1/messages', message);
        assert.equal(answer.status, 422, JSON.stringify(answer.body));
        assert.deepEqual(answer.body.invalid_parameters.map((p: { name: string }) => p.name), [field]);
      });
    }
  }

  it('PATCH /v1/account status_url with U+000B → 422 status_url', async () => {
    const answer = await relay.api('PATCH', '/v1/account', { status_url: 'https://example.com/\u000B' });
    assert.equal(answer.status, 422);
    assert.deepEqual(answer.body.invalid_parameters.map((p: { name: string }) => p.name), ['status_url']);
  });

  it('tab, LF, CR and paired surrogates (emoji) are accepted', async () => {
    const answer = await relay.api('POST', '/v1/messages', textMessage({ channel: 'whatsapp', from: 'Brand 😀', text: 'a\tb\nc\r\nd 😀', client_ref: 'x\ty 😀' }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
  });

  it('xmlUnsafeCharacter names the character and where it is', () => {
    assert.equal(xmlUnsafeCharacter('ab\u000Bc'), 'U+000B at position 2');
    assert.equal(xmlUnsafeCharacter('😀\uD83D'), 'U+D83D at position 2');
    assert.equal(xmlUnsafeCharacter('ok\t\n\r'), undefined);
  });
});

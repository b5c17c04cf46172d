import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXmlCallback, renderBody } from '../src/dispatch/formats.js';
import { fullPayload } from './helpers/fixtures.js';
import { FORMATS } from '../src/model/destination.js';
import type { CallbackPayload } from '../src/model/types.js';

describe('renderBody', () => {
  it('JSON round trip', () => {
    const payload = fullPayload();
    const { body, contentType } = renderBody(payload, 'json');
    assert.equal(contentType, 'application/json');
    assert.deepEqual(JSON.parse(body), payload);
  });

  it('XML: declaration, root element, one element per field, repeated segments', () => {
    const { body, contentType } = renderBody(fullPayload(), 'xml');
    assert.equal(contentType, 'application/xml');
    assert.ok(body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<status_callback>'), body);
    assert.match(body, /<price>0\.0330<\/price>/);
    assert.match(body, /<destination>\s*<network_code>26201<\/network_code>\s*<\/destination>/);
    assert.equal(body.match(/<segments>/g)?.length, 2);
    assert.match(body, /<client_ref>order-42 &amp; &lt;more&gt;<\/client_ref>/);
  });

  it('XML round trip keeps every value a string', () => {
    const payload = fullPayload();
    const parsed = parseXmlCallback(renderBody(payload, 'xml').body) as typeof payload;
    assert.deepEqual(parsed, payload);
    assert.equal(parsed.usage?.price, '0.0330');
    assert.equal(parsed.to, '4915112345678');
  });

  it('XML round trip of a single segment still gives an array', () => {
    const payload = fullPayload({ sms: { count_total: '1', segments: [{ id: 'only' }] } });
    assert.deepEqual(parseXmlCallback(renderBody(payload, 'xml').body), payload);
  });

  it('XML round trip of a minimal payload, values with surrounding spaces kept', () => {
    const payload: CallbackPayload = {
      message_uuid: 'u-1', to: '0049 151', from: 'Shop', timestamp: '2025-01-02T03:04:05.000Z',
      status: 'read', channel: 'whatsapp', client_ref: '  padded  ',
    };
    assert.deepEqual(parseXmlCallback(renderBody(payload, 'xml').body), payload);
  });

  it('every format the forwarding rules accept renders, each with its own content type', () => {
    const rendered = FORMATS.map((format) => renderBody(fullPayload(), format));
    for (const { body, contentType } of rendered) assert.ok(body.length > 0 && contentType.length > 0);
    assert.equal(new Set(rendered.map((r) => r.contentType)).size, FORMATS.length);
  });

  it('refuses XML that is not a status callback', () => {
    assert.throws(() => parseXmlCallback('<other><a>1</a></other>'), /status_callback/);
  });
});

import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMessageRequest } from '../src/intake/api/message-request.js';
import type { MessageContent } from '../src/model/types.js';

const SMS = { channel: 'sms', message_type: 'text', to: '447700900000', from: 'Acme', text: 'hello' };
const IMAGE = {
  channel: 'whatsapp',
  message_type: 'image',
  to: '447700900001',
  from: '447700900999',
  image: { url: 'https://cdn.example.com/cat.jpg' },
};

function invalidNames(body: unknown): string[] {
  const result = validateMessageRequest(body);
  assert.equal(result.ok, false, `expected ${JSON.stringify(body)} to be refused`);
  return result.ok ? [] : result.invalid.map((i) => i.name);
}

/** One row per rule: the body and the exact field names refused. */
const refused: Array<[string, unknown, string[]]> = [
  ['body not an object', [SMS], ['']],
  ['body null', null, ['']],
  ['channel missing', { ...SMS, channel: undefined }, ['channel']],
  ['unknown channel', { ...SMS, channel: 'telegram' }, ['channel']],
  ['message_type missing', { ...SMS, message_type: undefined }, ['message_type']],
  ['message_type unknown', { ...SMS, message_type: 'video' }, ['message_type']],
  ['message_type image on sms', { ...IMAGE, channel: 'sms', from: 'Acme' }, ['message_type']],
  ['to missing', { ...SMS, to: undefined }, ['to']],
  ['to too short', { ...SMS, to: '123456' }, ['to']],
  ['to too long', { ...SMS, to: '1234567890123456' }, ['to']],
  ['to with letters', { ...SMS, to: '44770090000a' }, ['to']],
  ["to with '+'", { ...SMS, to: '+447700900000' }, ['to']],
  ['to as a number', { ...SMS, to: 447700900000 }, ['to']],
  ['from missing', { ...SMS, from: undefined }, ['from']],
  ['sms from sender id too long', { ...SMS, from: 'AcmeCorporation' }, ['from']],
  ['sms from with punctuation', { ...SMS, from: 'Acme-Co' }, ['from']],
  ["sms from with '+'", { ...SMS, from: '+447700900000' }, ['from']],
  ['ott from empty', { ...IMAGE, from: '' }, ['from']],
  ['ott from 51 chars', { ...IMAGE, from: 'x'.repeat(51) }, ['from']],
  ['text missing', { ...SMS, text: undefined }, ['text']],
  ['text empty', { ...SMS, text: '' }, ['text']],
  ['sms text 1001 chars', { ...SMS, text: 'x'.repeat(1001) }, ['text']],
  ['whatsapp text 4097 chars', { ...SMS, channel: 'whatsapp', text: 'x'.repeat(4097) }, ['text']],
  ['image on a text message', { ...SMS, image: { url: 'https://a.example/x.png' } }, ['image']],
  ['text on an image message', { ...IMAGE, text: 'hi' }, ['text']],
  ['image missing', { ...IMAGE, image: undefined }, ['image']],
  ['image not an object', { ...IMAGE, image: 'https://a.example/x.png' }, ['image']],
  ['image without url', { ...IMAGE, image: { caption: 'a cat' } }, ['image.url']],
  ['image url not http', { ...IMAGE, image: { url: 'ftp://a.example/x.png' } }, ['image.url']],
  ['image url relative', { ...IMAGE, image: { url: '/x.png' } }, ['image.url']],
  ['image caption 3001 chars', { ...IMAGE, image: { url: 'https://a.example/x.png', caption: 'x'.repeat(3001) } }, ['image.caption']],
  ['image unknown field', { ...IMAGE, image: { url: 'https://a.example/x.png', captoin: 'typo' } }, ['image.captoin']],
  ['client_ref 101 chars', { ...SMS, client_ref: 'x'.repeat(101) }, ['client_ref']],
  ['client_ref not a string', { ...SMS, client_ref: 5 }, ['client_ref']],
  ['webhook_url not a URL', { ...SMS, webhook_url: 'example.com/hook' }, ['webhook_url']],
  ['webhook_url too long', { ...SMS, webhook_url: `https://a.example/${'x'.repeat(2040)}` }, ['webhook_url']],
  ['ttl 10', { ...SMS, ttl: 10 }, ['ttl']],
  ['ttl above a week', { ...SMS, ttl: 604_801 }, ['ttl']],
  ['ttl not an integer', { ...SMS, ttl: 90.5 }, ['ttl']],
  ['ttl as a string', { ...SMS, ttl: '600' }, ['ttl']],
  ['unknown field', { ...SMS, clientref: 'typo' }, ['clientref']],
  ['failover not an array', { ...SMS, failover: SMS }, ['failover']],
  ['failover empty', { ...SMS, failover: [] }, ['failover']],
  ['failover of 5', { ...SMS, failover: [SMS, SMS, SMS, SMS, SMS] }, ['failover']],
  ['failover item not an object', { ...SMS, failover: ['sms'] }, ['failover[0]']],
  ['failover item with bad to', { ...SMS, channel: 'rcs', failover: [{ ...SMS, to: '12' }] }, ['failover[0].to']],
  ['failover second item bad', { ...SMS, failover: [SMS, { ...SMS, ttl: 1 }] }, ['failover[1].ttl']],
  ['failover item with its own failover', { ...SMS, failover: [{ ...SMS, failover: [SMS] }] }, ['failover[0].failover']],
  ['failover item unknown field', { ...SMS, failover: [{ ...SMS, colour: 'red' }] }, ['failover[0].colour']],
];

for (const [rule, body, names] of refused) {
  test(`refuses: ${rule}`, () => {
    assert.deepEqual(invalidNames(body), names);
  });
}

test('collects every error at once, top level and failover items', () => {
  const body = {
    channel: 'sms',
    message_type: 'image',
    to: '+44',
    client_ref: 'x'.repeat(101),
    ttl: 10,
    extra: true,
    failover: [{ channel: 'carrier-pigeon', message_type: 'text', to: 'abc', from: 'Acme', text: 'hi' }],
  };
  assert.deepEqual(new Set(invalidNames(body)), new Set([
    'message_type', 'to', 'from', 'image', 'client_ref', 'ttl', 'extra', 'failover[0].channel', 'failover[0].to',
  ]));
});

test('reasons are specific', () => {
  const result = validateMessageRequest({ ...IMAGE, channel: 'sms', from: 'Acme', to: '+447700900000', ttl: 10 });
  assert.ok(!result.ok);
  const reason = (name: string) => result.invalid.find((i) => i.name === name)?.reason;
  assert.equal(reason('message_type'), 'message_type image is not supported on channel sms');
  assert.match(reason('to') ?? '', /leading '\+'/);
  assert.match(reason('ttl') ?? '', /60 to 604800/);
  const fax = validateMessageRequest({ ...SMS, channel: 'fax' });
  assert.ok(!fax.ok);
  assert.equal(fax.invalid[0]?.reason, 'channel must be one of sms, mms, rcs, whatsapp, viber_service, messenger');
});

/** Valid requests of every channel, with the MessageContent they map to. */
const accepted: Array<[string, unknown, MessageContent]> = [
  ['sms text with alphanumeric sender', SMS, { channel: 'sms', message_type: 'text', to: '447700900000', from: 'Acme', text: 'hello' }],
  ['sms text with numeric sender and 1000 chars', { ...SMS, from: '447700900999', text: 'é'.repeat(1000) },
    { channel: 'sms', message_type: 'text', to: '447700900000', from: '447700900999', text: 'é'.repeat(1000) }],
  ['mms image with caption', { ...IMAGE, channel: 'mms', from: 'Acme', image: { url: 'http://a.example/x.gif', caption: 'look' } },
    { channel: 'mms', message_type: 'image', to: '447700900001', from: 'Acme', image_url: 'http://a.example/x.gif', text: 'look' }],
  ['rcs text with every optional field', { ...SMS, channel: 'rcs', from: 'AcmeAgent', text: 'x'.repeat(4096), client_ref: 'r'.repeat(100), webhook_url: 'https://hooks.example.com/s', ttl: 604_800, webhook_version: 'v1' },
    { channel: 'rcs', message_type: 'text', to: '447700900000', from: 'AcmeAgent', text: 'x'.repeat(4096), client_ref: 'r'.repeat(100), webhook_url: 'https://hooks.example.com/s', ttl: 604_800 }],
  ['whatsapp image without caption', IMAGE,
    { channel: 'whatsapp', message_type: 'image', to: '447700900001', from: '447700900999', image_url: 'https://cdn.example.com/cat.jpg' }],
  ['viber_service text, ttl 60', { ...SMS, channel: 'viber_service', from: 'Acme Viber Service', ttl: 60 },
    { channel: 'viber_service', message_type: 'text', to: '447700900000', from: 'Acme Viber Service', text: 'hello', ttl: 60 }],
  ['messenger text to a 15-digit id', { ...SMS, channel: 'messenger', to: '123456789012345', from: '1234567890' },
    { channel: 'messenger', message_type: 'text', to: '123456789012345', from: '1234567890', text: 'hello' }],
];

for (const [name, body, first] of accepted) {
  test(`accepts: ${name}`, () => {
    assert.deepEqual(validateMessageRequest(body), { ok: true, value: { first, failover: [] } });
  });
}

test('failover items map in order', () => {
  const body = { ...SMS, channel: 'rcs', client_ref: 'a', failover: [SMS, { ...IMAGE, channel: 'mms', from: 'Acme' }] };
  const result = validateMessageRequest(body);
  assert.ok(result.ok);
  assert.equal(result.value.first.channel, 'rcs');
  assert.equal(result.value.first.client_ref, 'a');
  assert.deepEqual(result.value.failover.map((m) => m.channel), ['sms', 'mms']);
  assert.equal(result.value.failover[1]?.image_url, IMAGE.image.url);
});

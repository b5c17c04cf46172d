/** Connector selection from the environment: which connector carries which channel. */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';

const WA = { WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v' };
const UP = { UPSTREAM_MESSAGES_URL: 'http://127.0.0.1:1', UPSTREAM_API_KEY: 'k', UPSTREAM_API_SECRET: 's', UPSTREAM_SIGNATURE_SECRET: 'sig' };
const SMSC = { SMSC_URL: 'smpp://relay:pw@127.0.0.1:2775' };

const cases: Array<[name: string, env: Record<string, string>, carriers: string]> = [
  ['nothing configured: all simulator', {}, 'sms:simulator mms:simulator rcs:simulator whatsapp:simulator viber_service:simulator messenger:simulator'],
  ['an SMSC takes sms', SMSC, 'sms:smpp mms:simulator rcs:simulator whatsapp:simulator viber_service:simulator messenger:simulator'],
  ['the Cloud API takes whatsapp', WA, 'sms:simulator mms:simulator rcs:simulator whatsapp:whatsapp viber_service:simulator messenger:simulator'],
  ['upstream takes what nobody else took', { ...SMSC, ...WA, ...UP }, 'sms:smpp mms:upstream rcs:upstream whatsapp:whatsapp viber_service:upstream messenger:upstream'],
  ['upstream limited to its channels', { ...UP, UPSTREAM_CHANNELS: 'rcs, sms' }, 'sms:upstream mms:simulator rcs:upstream whatsapp:simulator viber_service:simulator messenger:simulator'],
];
for (const [name, env, expected] of cases) {
  test(`carriers: ${name}`, () => {
    const { carriers } = loadConfig(env).providers;
    assert.equal(Object.entries(carriers).map(([c, k]) => `${c}:${k}`).join(' '), expected);
  });
}

const errors: Array<[name: string, env: Record<string, string>, message: RegExp]> = [
  ['an SMSC URL without smpp://', { SMSC_URL: 'http://x:y@h:1' }, /SMSC_URL must look like smpp:\/\/system_id:password@host:port/],
  ['part of the WhatsApp settings', { WHATSAPP_ACCESS_TOKEN: 't' }, /needs WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN/],
  ['upstream without a signature secret', { ...UP, UPSTREAM_SIGNATURE_SECRET: '' }, /UPSTREAM_SIGNATURE_SECRET/],
  ['upstream with both auth kinds', { ...UP, UPSTREAM_APPLICATION_ID: 'a', UPSTREAM_PRIVATE_KEY: 'k' }, /either/],
  ['upstream and SMSC both naming sms', { ...UP, ...SMSC, UPSTREAM_CHANNELS: 'sms' }, /names sms, which smpp already carries/],
  ['an unknown upstream channel', { ...UP, UPSTREAM_CHANNELS: 'fax' }, /UPSTREAM_CHANNELS names an unknown channel .*, got "fax"/],
  ['upstream channels without upstream', { UPSTREAM_CHANNELS: 'rcs' }, /UPSTREAM_MESSAGES_URL is not/],
];
for (const [name, env, message] of errors) {
  test(`config refuses ${name}`, () => assert.throws(() => loadConfig(env), message));
}

test('SMSC_URL parts and defaults', () => {
  const smpp = loadConfig({ SMSC_URL: 'smpp://sys%40id:p%3Aw@10.0.0.1:2776', SMSC_WINDOW: '3' }).providers.smpp;
  assert.equal(smpp?.systemId, 'sys@id');
  assert.equal(smpp?.password, 'p:w');
  assert.equal(smpp?.host, '10.0.0.1');
  assert.equal(smpp?.port, 2776);
  assert.equal(smpp?.window, 3);
  assert.equal(smpp?.interfaceVersion, 0x34);
  assert.equal(smpp?.registeredDelivery, 1);
  assert.equal(smpp?.sourceTon, undefined, 'chosen per sender unless set');
});

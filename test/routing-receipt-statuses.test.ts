/**
 * receipt_statuses (set by the e-mail interface): exactly those statuses are routed, on top of
 * the account's rules; without it the receipt_request rule applies as before.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeStatusChange } from '../src/routing/route.js';
import { storedMessage } from './helpers/fixtures.js';
import { validateForwardingRules } from '../src/model/forwarding-rules.js';

/** A document as a customer PUTs it, completed by the validator as the API stores it. */
function rules(document: object) {
  const result = validateForwardingRules(document);
  assert.ok(result.ok, JSON.stringify(result));
  return { forwarding: result.value };
}
import type { Status } from '../src/model/vocabulary.js';

const SENDER = 'alice@customer.example';
const back = [{ destination: { type: 'email', address: SENDER }, format: 'json' }];
const ALL: Status[] = ['submitted', 'delivered', 'read', 'rejected', 'undeliverable'];

test('receipt_statuses picks exactly the routed statuses (WhatsApp, read only + failures)', () => {
  const message = storedMessage({
    channel: 'whatsapp', interface: 'email', return_to: { type: 'email', address: SENDER },
    receipt_request: ['read'], receipt_statuses: ['read', 'rejected', 'undeliverable'],
  });
  const routed = ALL.filter((status) => routeStatusChange(message, status, {}).length > 0);
  assert.deepEqual(routed, ['read', 'rejected', 'undeliverable']);
  assert.deepEqual(routeStatusChange(message, 'read', {}), back);
});

test('SMS with no request: only failures go back (the receipt_request rule alone would send none)', () => {
  const message = storedMessage({
    channel: 'sms', interface: 'email', return_to: { type: 'email', address: SENDER },
    receipt_request: [], receipt_statuses: ['rejected', 'undeliverable'],
  });
  assert.deepEqual(ALL.filter((status) => routeStatusChange(message, status, {}).length > 0), ['rejected', 'undeliverable']);
});

test('the account still decides: none, the global switch and ott.statuses win over receipt_statuses', () => {
  const message = storedMessage({
    channel: 'whatsapp', interface: 'email', return_to: { type: 'email', address: SENDER },
    receipt_request: ['delivered', 'read'], receipt_statuses: ['delivered', 'read', 'rejected', 'undeliverable'],
  });
  assert.deepEqual(routeStatusChange(message, 'read', rules({ ott: { email: { type: 'none' } } })), []);
  assert.deepEqual(routeStatusChange(message, 'read', rules({ enabled: false })), []);
  assert.deepEqual(routeStatusChange(message, 'read', rules({ ott: { statuses: ['delivered'] } })), []);
  assert.deepEqual(routeStatusChange(message, 'delivered', rules({ ott: { statuses: ['delivered'] } })), back);
});

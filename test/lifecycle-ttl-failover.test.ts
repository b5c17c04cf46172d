import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeError } from '../src/model/errors.js';
import { nextFailoverItem } from '../src/lifecycle/failover.js';
import { expiresAt } from '../src/model/message.js';
import { applyReport } from '../src/lifecycle/state-machine.js';
import { expiryReport } from '../src/lifecycle/ttl.js';
import type { Message, MessageContent, ProviderReport } from '../src/model/types.js';
import type { MessageState, Status } from '../src/model/vocabulary.js';
import { storedMessage } from './helpers/fixtures.js';

const T0 = 1_700_000_000_000;
const TTL_ERROR = makeError(1360, 'https://errors.example/messages', 'ttl-1');

interface ExpiryCase {
  name: string;
  expires_at?: number;
  state: MessageState;
  seen: Status[];
  now: number;
  expired: boolean;
}

const expiry: ExpiryCase[] = [
  { name: 'no ttl never expires', state: 'submitted', seen: ['submitted'], now: T0 + 1e9, expired: false },
  { name: 'before expiry', expires_at: T0 + 60_000, state: 'submitted', seen: ['submitted'], now: T0 + 59_999, expired: false },
  { name: 'exactly at expiry', expires_at: T0 + 60_000, state: 'submitted', seen: ['submitted'], now: T0 + 60_000, expired: true },
  { name: 'after expiry, still accepted', expires_at: T0 + 60_000, state: 'accepted', seen: [], now: T0 + 90_000, expired: true },
  { name: 'delivered is settled', expires_at: T0 + 60_000, state: 'delivered', seen: ['delivered'], now: T0 + 90_000, expired: false },
  { name: 'read is settled', expires_at: T0 + 60_000, state: 'read', seen: ['delivered', 'read'], now: T0 + 90_000, expired: false },
  { name: 'rejected is settled', expires_at: T0 + 60_000, state: 'rejected', seen: ['rejected'], now: T0 + 90_000, expired: false },
  { name: 'undeliverable is settled', expires_at: T0 + 60_000, state: 'undeliverable', seen: ['undeliverable'], now: T0 + 90_000, expired: false },
];

for (const c of expiry) {
  test(`expiryReport: ${c.name}`, () => {
    const m = storedMessage({ state: c.state, seen: c.seen, ...(c.expires_at === undefined ? {} : { expires_at: c.expires_at }) });
    const r = expiryReport(m, c.now, TTL_ERROR);
    if (!c.expired) {
      assert.equal(r, undefined);
      return;
    }
    assert.deepEqual(r, {
      message_uuid: m.uuid,
      status: 'rejected',
      occurred_at: c.expires_at,
      source: 'ttl',
      error: TTL_ERROR,
    });
  });
}

test('TTL expiry then a provider delivered does not resurrect the message', () => {
  const m = storedMessage({ state: 'submitted', seen: ['submitted'], expires_at: T0 + 60_000 });
  const expired = expiryReport(m, T0 + 61_000, TTL_ERROR);
  assert.ok(expired);
  const first = applyReport(m, expired, T0 + 61_000);
  assert.equal(first.kind, 'changed');
  if (first.kind !== 'changed') return;
  assert.equal(first.message.state, 'rejected');
  assert.deepEqual(first.events.map((e) => [e.seq, e.status, e.forwarded, e.error?.title]), [[2, 'rejected', true, '1360']]);

  const delivered: ProviderReport = { message_uuid: m.uuid, status: 'delivered', occurred_at: T0 + 30_000, source: 'smpp' };
  const second = applyReport(first.message, delivered, T0 + 62_000);
  assert.equal(second.kind, 'late');
  if (second.kind !== 'late') return;
  assert.equal(second.message.state, 'rejected');
  assert.deepEqual(second.message.seen, ['submitted', 'rejected', 'delivered']);
  assert.deepEqual(second.events.map((e) => [e.seq, e.status, e.forwarded]), [[3, 'delivered', false]]);
  // The sweep runs again: the message is settled now, nothing more to expire.
  assert.equal(expiryReport(second.message, T0 + 120_000, TTL_ERROR), undefined);
});

const expiresCases: Array<[name: string, ttl: number | undefined, expected: number | undefined]> = [
  ['no ttl', undefined, undefined],
  ['ttl in seconds', 300, T0 + 300_000],
  ['ttl zero expires at once', 0, T0],
];
for (const [name, ttl, expected] of expiresCases) {
  test(`expiresAt: ${name}`, () => {
    const content: MessageContent = { channel: 'sms', message_type: 'text', to: '1', from: '2', ...(ttl === undefined ? {} : { ttl }) };
    assert.equal(expiresAt(content, T0), expected);
  });
}

test('failover chain of 3 items: rcs -> whatsapp -> sms', () => {
  const whatsapp: MessageContent = { channel: 'whatsapp', message_type: 'text', to: '447700900000', from: '447700900009', text: 'wa', ttl: 600 };
  const sms: MessageContent = {
    channel: 'sms', message_type: 'text', to: '447700900000', from: 'Brand', text: 'sms', client_ref: 'ref-3', webhook_url: 'https://sms.example/cb',
  };
  const first = storedMessage({
    interface: 'email',
    return_to: { type: 'email', address: 'sender@example.com' },
    channel: 'rcs',
    state: 'submitted',
    seen: ['submitted'],
    webhook_url: 'https://first.example/cb',
    client_ref: 'ref-1',
    workflow: { workflow_id: 'wf-1', items_number: '1', items_total: '3' },
    failover: [whatsapp, sms],
  });
  const reject = (m: Message, at: number): Message => {
    const outcome = applyReport(m, { message_uuid: m.uuid, status: 'rejected', occurred_at: at, source: 'simulator' }, at);
    assert.equal(outcome.kind, 'changed');
    return outcome.kind === 'changed' ? outcome.message : m;
  };

  // Not rejected yet: no failover.
  assert.equal(nextFailoverItem(first, 'm-2', T0 + 1), undefined);

  const second = nextFailoverItem(reject(first, T0 + 10), 'm-2', T0 + 10);
  assert.deepEqual(second, {
    ...whatsapp,
    uuid: 'm-2',
    account_id: 'acc-1',
    interface: 'email',
    return_to: { type: 'email', address: 'sender@example.com' },
    state: 'accepted',
    seen: [],
    workflow: { workflow_id: 'wf-1', items_number: '2', items_total: '3' },
    failover: [sms],
    expires_at: T0 + 10 + 600_000,
    webhook_url: 'https://first.example/cb', // inherited: the item names none
    created_at: T0 + 10,
    updated_at: T0 + 10,
  });
  assert.ok(second);
  assert.equal(second.client_ref, undefined, 'client_ref belongs to the item, not the workflow');

  const third = nextFailoverItem(reject(second, T0 + 20), 'm-3', T0 + 20);
  assert.ok(third);
  assert.equal(third.channel, 'sms');
  assert.equal(third.text, 'sms');
  assert.equal(third.client_ref, 'ref-3');
  assert.equal(third.webhook_url, 'https://sms.example/cb', 'an item may name its own webhook');
  assert.equal(third.expires_at, undefined);
  assert.ok(!('expires_at' in third));
  assert.deepEqual(third.workflow, { workflow_id: 'wf-1', items_number: '3', items_total: '3' });
  assert.deepEqual(third.failover, []);

  assert.equal(nextFailoverItem(reject(third, T0 + 30), 'm-4', T0 + 30), undefined, 'chain ends after item 3');
});

const noFailover: Array<[name: string, state: MessageState]> = [
  ['accepted', 'accepted'],
  ['submitted', 'submitted'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['undeliverable', 'undeliverable'],
];
for (const [name, state] of noFailover) {
  test(`no failover from ${name}`, () => {
    const item: MessageContent = { channel: 'sms', message_type: 'text', to: '1', from: '2' };
    assert.equal(nextFailoverItem(storedMessage({ channel: 'rcs', state, failover: [item] }), 'm-2', T0), undefined);
  });
}

test('a rejected message without workflow starts one named after itself', () => {
  const item: MessageContent = { channel: 'sms', message_type: 'text', to: '1', from: '2' };
  const first = storedMessage({ channel: 'rcs', state: 'rejected', seen: ['rejected'], failover: [item, item] });
  const next = nextFailoverItem(first, 'm-2', T0);
  assert.deepEqual(next?.workflow, { workflow_id: first.uuid, items_number: '2', items_total: '3' });
});

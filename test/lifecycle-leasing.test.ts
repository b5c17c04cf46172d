/** Which new callbacks planTransitions writes already claimed for this process (pure, table-driven). */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { planTransitions, type CallbackPlanning } from '../src/lifecycle/transitions.js';
import type { MessageContext } from '../src/store/store.js';
import type { ProviderReport } from '../src/model/types.js';
import { storedMessage, TEST_SECRET } from './helpers/fixtures.js';

const FAST = 'https://fast.example/cb';
const SLOW = 'https://slow.example/cb';
const planning: CallbackPlanning = {
  route: (message) => [{ destination: { type: 'url', url: message.webhook_url! }, format: 'json' }],
  render: (payload) => ({ body: JSON.stringify(payload), contentType: 'application/json' }),
};

function contextFor(uuid: string, webhookUrl: string, openLanes: string[] = []): MessageContext {
  return {
    message: storedMessage({ uuid, account_id: 'acct', webhook_url: webhookUrl }),
    account: { id: 'acct', signing: { signature_secret: TEST_SECRET, api_key: 'key' } },
    open_lanes: openLanes,
  };
}

const report = (uuid: string, status: ProviderReport['status']): ProviderReport => ({ message_uuid: uuid, status, occurred_at: 1_000, source: 'test' });

const cases: Array<{ name: string; room: Record<string, number>; messages: Array<[string, string, string[]?]>; reports: ProviderReport[]; leased: string[] }> = [
  {
    name: 'room for all: every ready callback is leased',
    room: { 'url:https://fast.example': 10 },
    messages: [['m1', FAST], ['m2', FAST]],
    reports: [report('m1', 'submitted'), report('m2', 'submitted')],
    leased: ['m1/submitted', 'm2/submitted'],
  },
  {
    name: 'room for two: the first two are leased, the third is written due',
    room: { 'url:https://fast.example': 2 },
    messages: [['m1', FAST], ['m2', FAST], ['m3', FAST]],
    reports: [report('m1', 'submitted'), report('m2', 'submitted'), report('m3', 'submitted')],
    leased: ['m1/submitted', 'm2/submitted'],
  },
  {
    name: 'room is counted per destination',
    room: { 'url:https://fast.example': 1, 'url:https://slow.example': 0 },
    messages: [['m1', FAST], ['m2', SLOW], ['m3', FAST]],
    reports: [report('m1', 'submitted'), report('m2', 'submitted'), report('m3', 'submitted')],
    leased: ['m1/submitted'],
  },
  {
    name: 'a callback behind an earlier one of its message is never leased',
    room: { 'url:https://fast.example': 10 },
    messages: [['m1', FAST], ['m2', FAST, ['url:https://fast.example']]],
    reports: [report('m1', 'submitted'), report('m1', 'delivered'), report('m2', 'delivered')],
    leased: ['m1/submitted'],
  },
];

for (const { name, room, messages, reports, leased } of cases) {
  test(`leasing: ${name}`, () => {
    const contexts = new Map(messages.map(([uuid, url, lanes]) => [uuid, contextFor(uuid, url, lanes)]));
    let n = 0;
    const lease = { token: 'lease-1', until: 99_000 };
    const planned = planTransitions(reports, contexts, 1_000, () => `id-${++n}`, planning, {
      lease,
      roomFor: (key, accountId) => (accountId === 'acct' ? room[key] ?? 0 : 0),
    });
    const callbacks = planned.transitions.flatMap((transition) => transition.callbacks);
    assert.equal(callbacks.length, reports.length, 'every report makes one callback');
    assert.deepEqual(callbacks.filter((callback) => callback.lease).map((callback) => `${callback.message_uuid}/${callback.status}`), leased);
    for (const callback of callbacks.filter((c) => c.lease)) assert.equal(callback.lease, lease);
  });
}

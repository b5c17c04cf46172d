/** New callbacks are written claimed only as far as the process can take them; the rest are written due. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { planTransitions, type CallbackPlanning } from '../src/lifecycle/transitions.js';
import { routeStatusChange } from '../src/routing/route.js';
import { destinationKey } from '../src/model/destination.js';
import type { MessageContext } from '../src/store/store.js';
import type { ProviderReport } from '../src/model/types.js';
import { storedMessage } from './helpers/fixtures.js';

const URL_A = 'http://127.0.0.1:9001/status';
const URL_B = 'http://127.0.0.1:9002/status';
const KEY_A = destinationKey({ type: 'url', url: URL_A });
const KEY_B = destinationKey({ type: 'url', url: URL_B });

const planning: CallbackPlanning = {
  route: routeStatusChange,
  render: () => ({ body: '{}', contentType: 'application/json' }),
};

/** Three messages whose account posts to A, two to B; each gets one forwarded status change. */
function batch() {
  const contexts = new Map<string, MessageContext>();
  const reports: ProviderReport[] = [];
  for (const [i, url] of [URL_A, URL_A, URL_A, URL_B, URL_B].entries()) {
    const message = storedMessage({ uuid: `00000000-0000-4000-8000-00000000000${i}` });
    contexts.set(message.uuid, {
      message,
      account: { id: 'acc-1', status_url: url, signing: { signature_secret: 'secret', api_key: 'key' } },
      open_lanes: [],
    });
    reports.push({ message_uuid: message.uuid, status: 'submitted', occurred_at: 1_700_000_000_100, source: 'simulator' });
  }
  return { contexts, reports };
}

const cases: Array<[string, ((key: string) => number) | undefined, { [key: string]: number }]> = [
  ['no limit: every ready callback is written claimed', undefined, { [KEY_A]: 3, [KEY_B]: 2 }],
  ['room for two at A and none at B', (key) => (key === KEY_A ? 2 : 0), { [KEY_A]: 2, [KEY_B]: 0 }],
  ['room for more than the batch brings', () => 10, { [KEY_A]: 3, [KEY_B]: 2 }],
  ['no room anywhere: all written due', () => 0, { [KEY_A]: 0, [KEY_B]: 0 }],
];

for (const [name, roomFor, expected] of cases) {
  test(name, () => {
    const { contexts, reports } = batch();
    let room = 0;
    const lease = { token: 'lease-1', until: 1_700_000_060_000, roomFor: roomFor && ((key: string) => (room++, roomFor(key))) };
    const { transitions } = planTransitions(reports, contexts, 1_700_000_000_200, () => `id-${Math.random()}`, planning, lease);
    const callbacks = transitions.flatMap((transition) => transition.callbacks);
    assert.equal(callbacks.length, 5);
    const leased = { [KEY_A]: 0, [KEY_B]: 0 };
    for (const callback of callbacks) if (callback.lease) leased[callback.destination_key]!++;
    assert.deepEqual(leased, expected);
    assert.ok(callbacks.every((callback) => !callback.blocked), 'none waits behind another');
    if (roomFor) assert.equal(room, 2, 'the room is asked once per destination and batch');
  });
}

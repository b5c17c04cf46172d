/**
 * TTL on a fake clock, with no waiting: a relay wired as in production (intake, simulator,
 * recorder, store) runs on the fake clock, and the TTL sweep is called by hand around the
 * moment the message's ttl runs out.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAfterAll } from './helpers/cleanup.js';
import { startRelay } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { createFakeClock } from './helpers/fake-clock.js';

const open = closeAfterAll();

test('a message whose ttl runs out is rejected with 1360 when the fake clock reaches expires_at, not a millisecond before', async () => {
  const clock = createFakeClock();
  // Scaled by 1000, the simulator's first report comes 50 s after acceptance and the first that
  // settles a message 100 s after: nothing settles it before its 60 s ttl. The sweep's own
  // timer is kept out of the way; the test sweeps.
  const relay = await startRelay({ SIMULATOR_TIME_SCALE: '1000', TTL_SWEEP_MS: '3600000' }, { clock });
  open.push(() => relay.stop());
  const acceptedAt = clock.now();
  const res = await relay.api('POST', '/v1/messages', textMessage({ ttl: 60 }));
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const uuid: string = res.body.message_uuid;
  const stored = async () => (await relay.relay.store.getMessage(uuid))!;
  assert.equal((await stored()).expires_at, acceptedAt + 60_000, 'expires_at comes from the clock');

  clock.advance(59_999);
  assert.equal(await relay.relay.recorder.expireDue(), 0, '1 ms before expires_at nothing expires');
  assert.notEqual((await stored()).state, 'rejected');

  clock.advance(1);
  assert.equal(await relay.relay.recorder.expireDue(), 1, 'at expires_at the message expires');
  assert.equal((await stored()).state, 'rejected');
  const rejected = (await relay.relay.store.listEvents(uuid)).filter((event) => event.status === 'rejected');
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0].error?.title, '1360');
  assert.equal(rejected[0].source, 'ttl');
  assert.equal(rejected[0].occurred_at, acceptedAt + 60_000);
  assert.equal(rejected[0].recorded_at, clock.now());
});

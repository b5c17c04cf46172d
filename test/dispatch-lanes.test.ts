/** Per-destination slots: concurrency, waiting, room, reopening. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { createLanes } from '../src/dispatch/lanes.js';
import { claimedCallback } from './helpers/fixtures.js';

const to = (key: string, id: string) => claimedCallback({ id, destination_key: key });

test('a destination runs at most its concurrency; the rest wait and start in order', () => {
  const lanes = createLanes(2, 10);
  assert.deepEqual(['a1', 'a2', 'a3', 'a4'].map((id) => lanes.admit(to('a', id))), [true, true, false, false]);
  assert.deepEqual(lanes.fullKeys(), ['a']);
  assert.equal(lanes.room(), 6);
  assert.equal(lanes.finish('a').next?.id, 'a3');
  assert.equal(lanes.finish('a').next?.id, 'a4');
  const third = lanes.finish('a');
  assert.equal(third.next, undefined);
  assert.equal(third.reopened, true, 'load fell below the limit: claim for it again');
  assert.deepEqual(lanes.fullKeys(), []);
});

test('one full destination does not block another', () => {
  const lanes = createLanes(2, 10);
  lanes.admit(to('slow', 's1'));
  lanes.admit(to('slow', 's2'));
  assert.equal(lanes.admit(to('slow', 's3')), false);
  assert.equal(lanes.admit(to('fast', 'f1')), true);
  assert.deepEqual(lanes.fullKeys(), ['slow']);
});

test('room is counted per destination and for the process', () => {
  const lanes = createLanes(2, 3);
  assert.equal(lanes.hasRoom('a'), true);
  lanes.admit(to('a', 'a1'));
  lanes.admit(to('a', 'a2'));
  assert.equal(lanes.hasRoom('a'), false, 'destination full');
  assert.equal(lanes.hasRoom('b'), true);
  lanes.admit(to('b', 'b1'));
  assert.equal(lanes.hasRoom('c'), false, 'process full');
  assert.equal(lanes.room(), 0);
  lanes.finish('a');
  assert.equal(lanes.hasRoom('a'), true);
  assert.equal(lanes.room(), 1);
});

/** Per-destination slots: concurrency, waiting, room, reopening. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { createSlots } from '../src/dispatch/slots.js';
import { claimedCallback } from './helpers/fixtures.js';

const to = (key: string, id: string) => claimedCallback({ id, destination_key: key });

test('a destination runs at most its concurrency; the rest wait and start in order', () => {
  const slots = createSlots(2, 10);
  assert.deepEqual(['a1', 'a2', 'a3', 'a4'].map((id) => slots.admit(to('a', id))), [true, true, false, false]);
  assert.deepEqual(slots.fullKeys(), ['a']);
  assert.equal(slots.room(), 6);
  assert.equal(slots.finish('a').next?.id, 'a3');
  assert.equal(slots.finish('a').next?.id, 'a4');
  const third = slots.finish('a');
  assert.equal(third.next, undefined);
  assert.equal(third.reopened, true, 'load fell below the limit: claim for it again');
  assert.deepEqual(slots.fullKeys(), []);
});

test('one full destination does not block another', () => {
  const slots = createSlots(2, 10);
  slots.admit(to('slow', 's1'));
  slots.admit(to('slow', 's2'));
  assert.equal(slots.admit(to('slow', 's3')), false);
  assert.equal(slots.admit(to('fast', 'f1')), true);
  assert.deepEqual(slots.fullKeys(), ['slow']);
});

test('room is counted per destination and for the process', () => {
  const slots = createSlots(2, 3);
  assert.equal(slots.roomFor('a'), 2);
  slots.admit(to('a', 'a1'));
  assert.equal(slots.roomFor('a'), 1);
  slots.admit(to('a', 'a2'));
  assert.equal(slots.roomFor('a'), 0, 'destination full');
  assert.equal(slots.roomFor('b'), 1, 'the process has one slot left');
  slots.admit(to('b', 'b1'));
  assert.equal(slots.roomFor('c'), 0, 'process full');
  assert.equal(slots.room(), 0);
  slots.finish('a');
  assert.equal(slots.roomFor('a'), 1);
  assert.equal(slots.room(), 1);
});

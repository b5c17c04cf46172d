/** The reserve: claimed callbacks waiting for a slot, bounded, handed back before their lease runs short. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createReserve } from '../src/dispatch/reserve.js';
import { claimedCallback } from './helpers/fixtures.js';

const NOW = 1_700_000_000_000;
const to = (key: string, id: string, leaseEndsIn = 60_000) => claimedCallback({ id, destination_key: key, due_at: NOW + leaseEndsIn });

test('keeps callbacks per destination in order, within both bounds', () => {
  const reserve = createReserve({ perDestination: 2, total: 3, minLeaseLeftMs: 10_000 });
  assert.deepEqual(
    [to('a', 'a1'), to('a', 'a2'), to('a', 'a3'), to('b', 'b1'), to('c', 'c1')].map((callback) => reserve.offer(callback)),
    [true, true, false, true, false],
  );
  assert.equal(reserve.size, 3);
  assert.deepEqual([reserve.roomFor('a'), reserve.roomFor('b'), reserve.room], [0, 0, 0]);
  assert.deepEqual([...reserve.keys()], ['a', 'b']);
  assert.deepEqual([reserve.take('a')?.id, reserve.take('a')?.id, reserve.take('a')?.id], ['a1', 'a2', undefined]);
  assert.deepEqual([...reserve.keys()], ['b'], 'an emptied destination is gone');
  assert.deepEqual([reserve.roomFor('a'), reserve.room], [2, 2]);
});

test('hands back what has too little lease left, and only that', () => {
  const reserve = createReserve({ perDestination: 10, total: 10, minLeaseLeftMs: 10_000 });
  const cases: Array<[string, number, boolean]> = [
    ['a1', 5_000, true],
    ['a2', 9_999, true],
    ['a3', 10_000, false],
    ['a4', 50_000, false],
  ];
  for (const [id, leaseEndsIn] of cases) reserve.offer(to('a', id, leaseEndsIn));
  reserve.offer(to('b', 'b1', 1_000));
  const stale = reserve.stale(NOW).map((callback) => callback.id);
  assert.deepEqual(stale.sort(), [...cases.filter(([, , goes]) => goes).map(([id]) => id), 'b1'].sort());
  assert.equal(reserve.size, 2);
  assert.deepEqual([...reserve.keys()], ['a']);
  assert.equal(reserve.take('a')?.id, 'a3');
});

test('drain empties it', () => {
  const reserve = createReserve({ perDestination: 10, total: 10, minLeaseLeftMs: 0 });
  reserve.offer(to('a', 'a1'));
  reserve.offer(to('b', 'b1'));
  assert.deepEqual(reserve.drain().map((callback) => callback.id), ['a1', 'b1']);
  assert.deepEqual([reserve.size, [...reserve.keys()].length, reserve.room], [0, 0, 10]);
});

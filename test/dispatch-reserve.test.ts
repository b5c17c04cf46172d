/** The reserve: claimed callbacks waiting for a slot of a flowing destination, bounded, handed back in time. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { createReserve } from '../src/dispatch/reserve.js';
import { claimedCallback } from './helpers/fixtures.js';

const NOW = 1_700_000_000_000;
const to = (key: string, id: string, leaseEndsIn = 60_000) => claimedCallback({ id, destination_key: key, due_at: NOW + leaseEndsIn });

/** A reserve where an attempt to each of `keys` has just ended. */
function reserveFlowing(keys: string[], limits: { perDestination: number; total: number; minLeaseLeftMs?: number }) {
  const reserve = createReserve({ minLeaseLeftMs: 10_000, flowingMs: 1_000, ...limits });
  for (const key of keys) reserve.ended(key, NOW);
  return reserve;
}

test('keeps callbacks per destination in order, within both bounds', () => {
  const reserve = reserveFlowing(['a', 'b', 'c'], { perDestination: 2, total: 3 });
  assert.deepEqual(
    [to('a', 'a1'), to('a', 'a2'), to('a', 'a3'), to('b', 'b1'), to('c', 'c1')].map((callback) => reserve.offer(callback, NOW)),
    [true, true, false, true, false],
  );
  assert.equal(reserve.size, 3);
  assert.deepEqual([reserve.roomFor('a', NOW), reserve.roomFor('b', NOW), reserve.room], [0, 0, 0]);
  assert.deepEqual([...reserve.keys()], ['a', 'b']);
  assert.deepEqual([reserve.take('a')?.id, reserve.take('a')?.id, reserve.take('a')?.id], ['a1', 'a2', undefined]);
  assert.deepEqual([...reserve.keys()], ['b'], 'an emptied destination is gone');
  assert.deepEqual([reserve.roomFor('a', NOW), reserve.room], [2, 2]);
});

test('only a destination an attempt to which ended lately gets a reserve', () => {
  const reserve = reserveFlowing(['a'], { perDestination: 5, total: 10 });
  const cases: Array<[string, string, number, boolean]> = [
    ['flowing', 'a', NOW + 1_000, true],
    ['never ended an attempt (hung from the start)', 'b', NOW, false],
    ['last attempt ended too long ago', 'a', NOW + 1_001, false],
  ];
  for (const [name, key, now, kept] of cases) {
    assert.equal(reserve.offer(to(key, `${key}-${now}`), now), kept, name);
    assert.equal(reserve.roomFor(key, now) > 0, kept, name);
  }
});

test('hands back what has too little lease left, and all of a destination that stopped flowing', () => {
  const reserve = reserveFlowing(['a', 'b'], { perDestination: 10, total: 10 });
  const later = NOW + 1_200; // a is still flowing then (below), b is not
  // Lease left at `later`, and whether that is too little (under 10 s).
  const cases: Array<[string, number, boolean]> = [
    ['a1', 5_000, true],
    ['a2', 9_999, true],
    ['a3', 10_000, false],
    ['a4', 50_000, false],
  ];
  for (const [id, leaseLeft] of cases) reserve.offer(to('a', id, later - NOW + leaseLeft), NOW);
  reserve.offer(to('b', 'b1'), NOW);
  reserve.ended('a', NOW + 500);
  const expected = [...cases.filter(([, , goes]) => goes).map(([id]) => id), 'b1'];
  assert.deepEqual(reserve.stale(later).map((callback) => callback.id).sort(), expected.sort());
  assert.equal(reserve.size, 2);
  assert.deepEqual([...reserve.keys()], ['a']);
  assert.equal(reserve.take('a')?.id, 'a3');
});

test('drain empties it', () => {
  const reserve = reserveFlowing(['a', 'b'], { perDestination: 10, total: 10 });
  reserve.offer(to('a', 'a1'), NOW);
  reserve.offer(to('b', 'b1'), NOW);
  assert.deepEqual(reserve.drain().map((callback) => callback.id), ['a1', 'b1']);
  assert.deepEqual([reserve.size, [...reserve.keys()].length, reserve.room], [0, 0, 10]);
});

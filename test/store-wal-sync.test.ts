/** Group commit of WAL flushes: every sync is covered by a flush that started after it; flushes never overlap. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { createWalSync } from '../src/store/sqlite/wal-sync.js';

/** A flush the test finishes by hand, recording when each started. */
function manualFlush() {
  const started: Array<() => void> = [];
  let overlapping = 0;
  let open = 0;
  return {
    started,
    get overlapping() {
      return overlapping;
    },
    flush: () =>
      new Promise<void>((resolve) => {
        if (++open > 1) overlapping++;
        started.push(() => {
          open--;
          resolve();
        });
      }),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('syncs made while a flush runs share the next one, which starts only after it', async () => {
  const disk = manualFlush();
  const wal = createWalSync('unused', disk.flush);
  const done: string[] = [];
  const first = wal.sync().then(() => done.push('first'));
  const later = ['a', 'b', 'c'].map((name) => wal.sync().then(() => done.push(name)));
  await tick();
  assert.equal(disk.started.length, 1, 'one flush at a time');
  disk.started[0]!();
  await first;
  await tick();
  assert.deepEqual(done, ['first'], 'the later syncs wait for a flush that started after them');
  assert.equal(disk.started.length, 2, 'one flush for all three');
  disk.started[1]!();
  await Promise.all(later);
  assert.deepEqual(done.sort(), ['a', 'b', 'c', 'first']);
  assert.equal(disk.overlapping, 0);
});

test('settled waits for the flushes asked for and starts none', async () => {
  const disk = manualFlush();
  const wal = createWalSync('unused', disk.flush);
  await wal.settled();
  assert.equal(disk.started.length, 0, 'nothing asked for: nothing flushed');
  void wal.sync();
  void wal.sync();
  let settled = false;
  const waiting = wal.settled().then(() => (settled = true));
  disk.started[0]!();
  await tick();
  assert.equal(settled, false, 'the queued flush is still to come');
  disk.started[1]!();
  await waiting;
  assert.equal(disk.started.length, 2);
});

test('a failed flush fails its syncs, and the next sync flushes again', async () => {
  let calls = 0;
  const wal = createWalSync('unused', async () => {
    if (++calls === 1) throw new Error('EIO');
  });
  await assert.rejects(wal.sync(), /EIO/);
  await wal.sync();
  assert.equal(calls, 2);
});

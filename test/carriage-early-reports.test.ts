/**
 * Early reports: a report whose id is stored but not yet announced (its `submitted` not yet
 * recorded) must not be applied ahead of it, with or without a hold.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEarlyReports } from '../src/carriage/early-reports.js';
import { systemClock } from '../src/model/clock.js';

const PART = { message_uuid: 'm1' };

const cases: Array<{ name: string; holdMs: number; expected: boolean; stored: boolean; want: typeof PART | undefined }> = [
  { name: 'stored and announced: found at once', holdMs: 0, expected: false, stored: true, want: PART },
  { name: 'unknown, no hold: unknown (the caller parks it)', holdMs: 0, expected: false, stored: false, want: undefined },
  { name: 'stored but not announced, no hold: unknown, not applied ahead of submitted', holdMs: 0, expected: true, stored: true, want: undefined },
  { name: 'unknown after the hold: looked up once more, still unknown', holdMs: 20, expected: false, stored: false, want: undefined },
];

for (const { name, holdMs, expected, stored, want } of cases) {
  test(`lookup: ${name}`, async () => {
    const early = createEarlyReports(holdMs, systemClock);
    if (expected) early.expect('ref');
    assert.deepEqual(await early.lookup('ref', async () => (stored ? PART : undefined)), want);
  });
}

test('lookup: a hold ends when the id is announced, and the second look finds it', async () => {
  const early = createEarlyReports(60_000, systemClock);
  early.expect('ref');
  let announced = false;
  const found = early.lookup('ref', async () => (announced ? PART : undefined));
  await new Promise((resolve) => setTimeout(resolve, 10));
  announced = true;
  early.announce('ref');
  assert.deepEqual(await found, PART);
});

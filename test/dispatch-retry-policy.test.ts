import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, classifyErrorCode, classifyHttpStatus, parseRetryAfter, type Verdict } from '../src/model/retry.js';
import { decideNext } from '../src/dispatch/retry-policy.js';
import { DEFAULT_RETRY } from './helpers/fixtures.js';

const NO_JITTER = { ...DEFAULT_RETRY, jitter: 0 };
const MIN = 60_000;

describe('classifyHttpStatus', () => {
  const table: Array<[number, Verdict]> = [
    [200, 'delivered'], [201, 'delivered'], [204, 'delivered'], [299, 'delivered'],
    [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'], [504, 'retry'], [599, 'retry'],
    [400, 'failed'], [401, 'failed'], [403, 'failed'], [404, 'failed'], [408, 'failed'], [410, 'failed'], [413, 'failed'],
    [301, 'retry'], [302, 'retry'], [307, 'retry'], [100, 'failed'],
  ];
  for (const [code, verdict] of table) {
    it(`${code} → ${verdict}`, () => assert.equal(classifyHttpStatus(code), verdict));
  }
});

describe('classifyErrorCode', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET']) {
    it(`${code} → retry`, () => assert.equal(classifyErrorCode(code), 'retry'));
  }
  it('unknown or missing code → failed', () => {
    assert.equal(classifyErrorCode('UND_ERR_INVALID_ARG'), 'failed');
    assert.equal(classifyErrorCode(undefined), 'failed');
  });
});

describe('backoffMs', () => {
  const table: Array<[number, number]> = [
    [1, 5_000], [2, 10_000], [3, 20_000], [4, 40_000], [5, 80_000], [6, 160_000], [7, 320_000], [8, 640_000],
    [9, 15 * MIN], [10, 15 * MIN], [50, 15 * MIN], [5_000, 15 * MIN],
  ];
  for (const [attempt, expected] of table) {
    it(`attempt ${attempt} → ${expected} ms (random 0.5 = no jitter)`, () => {
      assert.equal(backoffMs(attempt, DEFAULT_RETRY, 0.5), expected);
    });
  }
  it('jitter spreads ±20 %', () => {
    assert.equal(backoffMs(1, DEFAULT_RETRY, 0), 4_000);
    assert.equal(backoffMs(1, DEFAULT_RETRY, 1), 6_000);
    assert.equal(backoffMs(20, DEFAULT_RETRY, 0), 12 * MIN);
    assert.equal(backoffMs(20, DEFAULT_RETRY, 1), 18 * MIN);
    for (let i = 0; i < 100; i++) {
      const ms = backoffMs(3, DEFAULT_RETRY, Math.random());
      assert.ok(ms >= 16_000 && ms <= 24_000, String(ms));
    }
  });
  it('never negative, even with full jitter', () => {
    assert.equal(backoffMs(1, { ...DEFAULT_RETRY, jitter: 1 }, 0), 0);
    assert.equal(backoffMs(0, DEFAULT_RETRY, 0.5), 5_000);
  });
});

describe('decideNext', () => {
  const created = 1_700_000_000_000;
  it('delivered and failed pass through without a next time', () => {
    assert.deepEqual(decideNext({ attempts: 1, createdAt: created, now: created, verdict: 'delivered' }, NO_JITTER, 0.5),
      { outcome: 'delivered' });
    assert.deepEqual(decideNext({ attempts: 3, createdAt: created, now: created, verdict: 'failed' }, NO_JITTER, 0.5),
      { outcome: 'failed' });
  });
  it('retry schedules the next attempt by backoff', () => {
    const now = created + 1_000;
    assert.deepEqual(decideNext({ attempts: 1, createdAt: created, now, verdict: 'retry' }, NO_JITTER, 0.5),
      { outcome: 'retry', nextAttemptAt: now + 5_000 });
    assert.deepEqual(decideNext({ attempts: 3, createdAt: created, now, verdict: 'retry' }, DEFAULT_RETRY, 1),
      { outcome: 'retry', nextAttemptAt: now + 24_000 });
  });
  it('a retry past the window is dead', () => {
    const windowEnd = created + DEFAULT_RETRY.windowMs;
    assert.deepEqual(
      decideNext({ attempts: 30, createdAt: created, now: windowEnd - 15 * MIN, verdict: 'retry' }, NO_JITTER, 0.5),
      { outcome: 'retry', nextAttemptAt: windowEnd },
    );
    assert.deepEqual(
      decideNext({ attempts: 30, createdAt: created, now: windowEnd - 15 * MIN + 1, verdict: 'retry' }, NO_JITTER, 0.5),
      { outcome: 'dead' },
    );
  });
  it('Retry-After replaces the interval, clamped to the cap', () => {
    const now = created + 10_000;
    assert.deepEqual(
      decideNext({ attempts: 1, createdAt: created, now, verdict: 'retry', retryAfterMs: 7_000 }, DEFAULT_RETRY, 0),
      { outcome: 'retry', nextAttemptAt: now + 7_000 },
    );
    assert.deepEqual(
      decideNext({ attempts: 1, createdAt: created, now, verdict: 'retry', retryAfterMs: 3 * 3_600_000 }, DEFAULT_RETRY, 0),
      { outcome: 'retry', nextAttemptAt: now + 15 * MIN },
    );
    assert.deepEqual(
      decideNext({ attempts: 1, createdAt: created, now, verdict: 'retry', retryAfterMs: 0 }, DEFAULT_RETRY, 0),
      { outcome: 'retry', nextAttemptAt: now },
    );
  });
  it('Retry-After beyond the window is dead too', () => {
    const now = created + DEFAULT_RETRY.windowMs - 1_000;
    assert.deepEqual(
      decideNext({ attempts: 2, createdAt: created, now, verdict: 'retry', retryAfterMs: 2_000 }, DEFAULT_RETRY, 0.5),
      { outcome: 'dead' },
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-02T03:04:05Z');
  const table: Array<[string | undefined, number | undefined]> = [
    ['7', 7_000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Thu, 02 Jan 2025 03:04:35 GMT', 30_000],
    ['Thu, 02 Jan 2025 03:00:00 GMT', 0],
    [undefined, undefined],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
  ];
  for (const [header, expected] of table) {
    it(`${JSON.stringify(header)} → ${expected}`, () => assert.equal(parseRetryAfter(header, now), expected));
  }
});

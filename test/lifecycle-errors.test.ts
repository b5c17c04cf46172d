import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, makeError } from '../src/model/errors.js';

const BASE = 'https://errors.example/messages';

// docs/statuses.md: the codes worth having from day one, with whether a retry could help.
const CATALOGUE: Array<[code: number, permanent: boolean, detailMentions: RegExp]> = [
  [1000, false, /throttled/i],
  [1020, true, /invalid params/i],
  [1030, false, /internal error/i],
  [1050, true, /barred/i],
  [1170, true, /invalid recipient/i],
  [1180, false, /absent subscriber temporary/i],
  [1190, true, /absent subscriber permanent/i],
  [1210, true, /spam/i],
  [1220, false, /busy/i],
  [1230, false, /temporary network failure/i],
  [1240, true, /opted out/i],
  [1250, true, /unroutable/i],
  [1260, false, /unreachable/i],
  [1300, true, /provider network/i],
  [1330, true, /unknown, permanent/i],
  [1331, false, /provider error/i],
  [1340, true, /window/i],
  [1360, true, /^TTL expired: |time to live/],
  [1380, true, /media/i],
  [1400, true, /unsupported channel/i],
  [1490, false, /segment timeout/i],
];

test('the catalogue holds exactly the documented codes', () => {
  assert.deepEqual(
    Object.keys(ERROR_CODES).map(Number).sort((a, b) => a - b),
    CATALOGUE.map(([code]) => code),
  );
});

test('the catalogue and its entries are frozen', () => {
  assert.ok(Object.isFrozen(ERROR_CODES));
  for (const entry of Object.values(ERROR_CODES)) assert.ok(Object.isFrozen(entry));
  assert.throws(() => {
    (ERROR_CODES as Record<number, unknown>)[9999] = { title: '9999', detail: 'x', permanent: true };
  }, TypeError);
});

for (const [code, permanent, mentions] of CATALOGUE) {
  test(`error ${code}`, () => {
    const entry = ERROR_CODES[code];
    assert.ok(entry, `missing ${code}`);
    assert.equal(entry.title, String(code));
    assert.equal(entry.permanent, permanent);
    assert.match(entry.detail, mentions);
    assert.deepEqual(makeError(code, BASE, 'occ-1'), {
      type: `${BASE}#${code}`,
      title: String(code),
      detail: entry.detail,
      instance: 'occ-1',
    });
  });
}

test('makeError keys come in the order type, title, detail, instance', () => {
  assert.deepEqual(Object.keys(makeError(1360, BASE, 'x')), ['type', 'title', 'detail', 'instance']);
});

for (const code of [0, 999, 1010, 1361, Number.NaN]) {
  test(`unknown code ${code} throws`, () => {
    assert.throws(() => makeError(code, BASE, 'x'), /unknown error code/);
  });
}

/** The pure parts of the SMPP connector, table by table. */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_CODING, concatHeader, decodeGsm, encodeSms, readConcatHeader } from '../src/carriage/smpp/gsm.js';
import { parseReceipt, parseReceiptDate, type ReceiptInput } from '../src/carriage/smpp/receipt.js';
import { submitVerdict } from '../src/carriage/smpp/states.js';
import { aggregateParts } from '../src/carriage/smpp/multipart.js';

const encodingCases: Array<[name: string, text: string, coding: number, partLengths: number[]]> = [
  ['plain ASCII fits one part', 'Hello', DATA_CODING.gsm, [5]],
  ['exactly 160 septets', 'a'.repeat(160), DATA_CODING.gsm, [160]],
  ['161 septets split 153 + 8', 'a'.repeat(161), DATA_CODING.gsm, [153, 8]],
  ['extension characters cost two septets', '€'.repeat(80), DATA_CODING.gsm, [160]],
  ['81 euro signs do not fit one part', '€'.repeat(81), DATA_CODING.gsm, [152, 10]],
  ['GSM accents stay GSM', 'àéùìòÄÖÑÜäöñü£¥§¿¡', DATA_CODING.gsm, [18]],
  ['a character outside GSM means UCS-2', 'Hello ✓', DATA_CODING.ucs2, [14]],
  ['70 UCS-2 units fit one part', 'ж'.repeat(70), DATA_CODING.ucs2, [140]],
  ['71 UCS-2 units split 67 + 4', 'ж'.repeat(71), DATA_CODING.ucs2, [134, 8]],
  ['a surrogate pair is never cut', 'a'.repeat(66) + '😀' + 'bbb', DATA_CODING.ucs2, [132, 10]],
];
for (const [name, text, coding, lengths] of encodingCases) {
  test(`encodeSms: ${name}`, () => {
    const encoded = encodeSms(text);
    assert.equal(encoded.dataCoding, coding);
    assert.deepEqual(encoded.parts.map((p) => p.length), lengths);
    const decoded = coding === DATA_CODING.gsm
      ? encoded.parts.map(decodeGsm).join('')
      : Buffer.concat(encoded.parts).swap16().toString('utf16le');
    assert.equal(decoded, text);
  });
}

test('encodeSms refuses more than 255 parts', () => {
  assert.throws(() => encodeSms('a'.repeat(153 * 255 + 1)), RangeError);
});

test('concatenation header round trip', () => {
  const udh = concatHeader(0x1a7, 3, 2);
  assert.deepEqual([...udh], [0x05, 0x00, 0x03, 0xa7, 3, 2]);
  assert.deepEqual(readConcatHeader(udh), { reference: 0xa7, total: 3, seq: 2 });
  assert.equal(readConcatHeader(Buffer.from([0x05, 0x08, 0x04, 1, 2, 3])), undefined);
});

const TEXT = 'id:0A1B2C sub:001 dlvrd:001 submit date:2611230930 done date:2611230931 stat:DELIVRD err:000 text:Hello';
const receiptCases: Array<[name: string, input: ReceiptInput, expected: unknown]> = [
  ['the standard text', { text: TEXT }, { ok: true, receipt: { ref: '0A1B2C', state: 'DELIVRD', err: '000', doneAt: Date.UTC(2026, 10, 23, 9, 31) } }],
  ['lower-case field names and state', { text: 'ID:77 STAT:undeliv ERR:005' }, { ok: true, receipt: { ref: '77', state: 'UNDELIV', err: '005' } }],
  ['long state spelling', { text: 'id:77 stat:DELIVERED' }, { ok: true, receipt: { ref: '77', state: 'DELIVRD' } }],
  ['TLV id wins over the text id', { text: TEXT, receiptedMessageId: 'ff01' }, { ok: true, receipt: { ref: 'ff01', state: 'DELIVRD', err: '000', doneAt: Date.UTC(2026, 10, 23, 9, 31) } }],
  ['TLV state wins over the text state', { text: 'id:1 stat:DELIVRD', messageState: 5 }, { ok: true, receipt: { ref: '1', state: 'UNDELIV' } }],
  ['TLVs alone', { receiptedMessageId: '9', messageState: 3 }, { ok: true, receipt: { ref: '9', state: 'EXPIRED' } }],
  ['seconds in the done date', { text: 'id:1 done date:261123093145 stat:ACCEPTD' }, { ok: true, receipt: { ref: '1', state: 'ACCEPTD', doneAt: Date.UTC(2026, 10, 23, 9, 31, 45) } }],
  ['an impossible done date is left out', { text: 'id:1 done date:2602300931 stat:REJECTD' }, { ok: true, receipt: { ref: '1', state: 'REJECTD' } }],
  ['no id anywhere', { text: 'sub:001 stat:DELIVRD' }, { ok: false, reason: 'malformed', detail: 'no message id in receipted_message_id or the receipt text' }],
  ['no state anywhere', { text: 'id:5 sub:001' }, { ok: false, reason: 'malformed', detail: 'no stat: in the receipt text and no message_state TLV', ref: '5' }],
  ['an unknown text state', { text: 'id:5 stat:BUFFRED' }, { ok: false, reason: 'unknown-state', detail: 'stat:BUFFRED is not a receipt state', ref: '5' }],
  ['an unknown TLV state', { receiptedMessageId: '5', messageState: 9 }, { ok: false, reason: 'unknown-state', detail: 'message_state 9 has no mapping', ref: '5' }],
  ['free text is not a receipt', { text: 'see you at 5' }, { ok: false, reason: 'malformed', detail: 'no message id in receipted_message_id or the receipt text' }],
];
for (const [name, input, expected] of receiptCases) {
  test(`parseReceipt: ${name}`, () => assert.deepEqual(parseReceipt(input), expected));
}

test('parseReceiptDate rejects what no clock writes', () => {
  assert.equal(parseReceiptDate('2613010000'), undefined);
  assert.equal(parseReceiptDate('2611232460'), undefined);
  assert.equal(parseReceiptDate('26112309'), undefined);
  assert.equal(parseReceiptDate('2402291200'), Date.UTC(2024, 1, 29, 12, 0));
});

const submitCases: Array<[status: number, expected: unknown]> = [
  [0x00, { kind: 'accepted' }],
  [0x58, { kind: 'throttled' }],
  [0x14, { kind: 'throttled' }],
  [0x04, { kind: 'rebind' }],
  [0x0b, { kind: 'rejected', errorCode: 1170 }],
  [0x0a, { kind: 'rejected', errorCode: 1020 }],
  [0x45, { kind: 'rejected', errorCode: 1331 }],
  [0x08, { kind: 'rejected', errorCode: 1331 }],
];
for (const [status, expected] of submitCases) {
  test(`submitVerdict 0x${status.toString(16)}`, () => assert.deepEqual(submitVerdict(status), expected));
}

const p = (part: number, outcome?: 'delivered' | 'rejected', error_code?: number) => ({
  part,
  provider_ref: `id${part}`,
  ...(outcome ? { outcome } : {}),
  ...(error_code ? { error_code } : {}),
});
const aggregateCases: Array<[name: string, parts: ReturnType<typeof p>[], total: number, timedOut: boolean, kind: string, code?: number]> = [
  ['single part delivered', [p(1, 'delivered')], 1, false, 'delivered'],
  ['nothing reported yet', [p(1), p(2)], 2, false, 'pending'],
  ['one of two delivered', [p(1, 'delivered'), p(2)], 2, false, 'pending'],
  ['all delivered', [p(1, 'delivered'), p(2, 'delivered'), p(3, 'delivered')], 3, false, 'delivered'],
  ['one refused rejects at once', [p(1, 'delivered'), p(2, 'rejected', 1360), p(3)], 3, false, 'rejected', 1360],
  ['the first refused part names the code', [p(2, 'rejected', 1330), p(1, 'rejected', 1360)], 2, false, 'rejected', 1360],
  ['timed out with a silent part', [p(1, 'delivered'), p(2)], 2, true, 'rejected', 1490],
  ['a part row missing counts as silent', [p(1, 'delivered')], 2, true, 'rejected', 1490],
  ['timed out but all delivered is delivered', [p(1, 'delivered'), p(2, 'delivered')], 2, true, 'delivered'],
];
for (const [name, parts, total, timedOut, kind, code] of aggregateCases) {
  test(`aggregateParts: ${name}`, () => {
    const verdict = aggregateParts(parts, total, timedOut);
    assert.equal(verdict.kind, kind);
    if (verdict.kind === 'rejected') assert.equal(verdict.errorCode, code);
    if (verdict.kind !== 'pending') assert.equal(verdict.segments.length, total);
  });
}

test('segments list every part with its id and status', () => {
  const verdict = aggregateParts([p(1, 'delivered'), p(2, 'rejected', 1330)], 3, false);
  assert.deepEqual(verdict.kind === 'rejected' && verdict.segments, [
    { part: '1', status: 'delivered', message_id: 'id1' },
    { part: '2', status: 'rejected', message_id: 'id2', error_code: '1330' },
    { part: '3', status: 'pending' },
  ]);
});

/**
 * SMPP receipts as real SMSCs write them: ids in another number base or padded with zeros
 * (matched, or not, as SMSC_RECEIPT_ID_TYPE says), and the error causes of `err:` and the
 * network_error_code TLV mapped to the error catalogue with the raw code kept.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAfterAll } from './helpers/cleanup.js';
import { testStores, waitFor } from './helpers/relay.js';
import { openStore } from '../src/store/open.js';
import { findReceiptPart } from '../src/carriage/smpp/receipt-handler.js';
import { ANSI_CAUSE_CODES, GSM_MAP_ERRORS, failureOf, networkErrorCode, readNetworkError, receiptCause, type ReceiptCause } from '../src/carriage/smpp/errors.js';
import type { ReceiptState } from '../src/carriage/smpp/receipt.js';
import { startSmscRig, type ReceiptSpec, type ReceivedSubmit, type SmscOptions } from './helpers/smsc.js';
import { idKey, receiptKeysOfSubmitId, submitKeysOfReceiptId, type ReceiptIdType } from '../src/carriage/smpp/message-ids.js';

const open = closeAfterAll();
const rig = (smscOptions: SmscOptions = {}, env: Record<string, string> = {}) => startSmscRig(open, smscOptions, env);

const ID_KEYS: Array<[receiptId: string, type: ReceiptIdType, submitKeys: string[]]> = [
  ['0000012345', 'auto', ['12345', '74565', '3039']],
  ['00003039', 'auto', ['3039', '12345', 'bdf']],
  ['A3F2', 'auto', ['a3f2', '41970']],
  ['ab-12', 'auto', ['ab-12']],
  ['00003039', 'hex', ['12345']],
  ['3039', 'hex', ['12345']],
  ['0000041970', 'decimal', ['a3f2']],
  ['A3F2', 'decimal', []],
  ['12345', 'as-is', []],
  ['000', 'auto', ['0']],
];

for (const [receiptId, type, expected] of ID_KEYS) {
  test(`receipt id ${receiptId} (${type}) may stand for the submit keys ${expected.join(', ') || 'none'}`, () => {
    assert.deepEqual(submitKeysOfReceiptId(receiptId, type), expected);
  });
}

const SUBMIT_KEYS: Array<[submitId: string, type: ReceiptIdType, receiptKeys: string[]]> = [
  ['12345', 'hex', ['3039']],
  ['0000A3F2', 'decimal', ['41970']],
  ['12345', 'auto', ['12345', '74565', '3039']],
  ['12345', 'as-is', []],
];

for (const [submitId, type, expected] of SUBMIT_KEYS) {
  test(`a receipt about submit id ${submitId} (${type}) may carry the keys ${expected.join(', ') || 'none'}`, () => {
    assert.deepEqual(receiptKeysOfSubmitId(submitId, type), expected);
  });
}

test('every key of one id is the stored form of the id it names', () => {
  // hex 3039 = decimal 12345, both ways round.
  for (const type of ['auto', 'hex'] as const) assert.ok(submitKeysOfReceiptId('3039', type).includes(idKey('12345')));
  for (const type of ['auto', 'hex'] as const) assert.ok(receiptKeysOfSubmitId('12345', type).includes(idKey('0000003039')));
});

const hexOf = (decimal: string) => Number(decimal).toString(16).toUpperCase();
const decimalOf = (hex: string) => String(parseInt(hex, 16));

const BASES: Array<{ name: string; submitIds: 'hex' | 'decimal'; receiptId: (submit: ReceivedSubmit) => string; type?: ReceiptIdType }> = [
  { name: 'decimal submit id, hex receipt id', submitIds: 'decimal', receiptId: (s) => hexOf(s.id) },
  { name: 'decimal submit id, zero-padded hex receipt id', submitIds: 'decimal', receiptId: (s) => hexOf(s.id).padStart(8, '0') },
  { name: 'hex submit id, decimal receipt id', submitIds: 'hex', receiptId: (s) => decimalOf(s.id) },
  { name: 'hex submit id, decimal receipt id padded to 10 digits', submitIds: 'hex', receiptId: (s) => decimalOf(s.id).padStart(10, '0') },
  { name: 'hex submit id, the same id zero-padded in lower case', submitIds: 'hex', receiptId: (s) => s.id.toLowerCase().padStart(10, '0') },
  { name: 'SMSC_RECEIPT_ID_TYPE=hex', submitIds: 'decimal', receiptId: (s) => hexOf(s.id).padStart(8, '0'), type: 'hex' },
  { name: 'SMSC_RECEIPT_ID_TYPE=decimal', submitIds: 'hex', receiptId: (s) => decimalOf(s.id).padStart(10, '0'), type: 'decimal' },
];

for (const base of BASES) {
  test(`receipts are matched: ${base.name}`, async () => {
    const receipt = (submit: ReceivedSubmit): ReceiptSpec => ({ id: base.receiptId(submit), stat: 'DELIVRD' });
    const r = await rig({ submitIds: base.submitIds, receipt }, base.type ? { SMSC_RECEIPT_ID_TYPE: base.type } : {});
    const uuid = await r.send();
    await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'two callbacks');
    assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
    assert.notEqual(receipt(r.smsc.submits[0]).id, r.smsc.submits[0].id, 'the receipt wrote the id differently');
    assert.equal((await r.relay.relay.store.listParkedReports(10)).length, 0);
  });
}

test('SMSC_RECEIPT_ID_TYPE=as-is compares the exact id only: a rewritten id is parked', async () => {
  const r = await rig({ submitIds: 'decimal', receipt: (s) => ({ id: hexOf(s.id), stat: 'DELIVRD' }) }, { SMSC_RECEIPT_ID_TYPE: 'as-is', SMSC_RECEIPT_HOLD_MS: '100' });
  const uuid = await r.send();
  await waitFor(async () => (await r.relay.relay.store.listParkedReports(10)).length === 1, 5_000, 'the receipt parked');
  assert.deepEqual(r.statuses(uuid), ['submitted']);
});

for (const store of testStores()) {
  test(`${store.kind}: the exact id wins over a rewritten one; rewritten ids find their part`, { skip: store.skip }, async () => {
    const db = await openStore(await store.databaseUrl());
    open.push(() => db.close());
    await db.migrate();
    // Decimal 4096 is hex 1000: a receipt for "1000" is the second part's, not the first's.
    await db.saveMessageParts([
      { message_uuid: 'm-decimal', part: 1, total: 1, provider_ref: '4096', updated_at: 1 },
      { message_uuid: 'm-hex', part: 1, total: 1, provider_ref: '0000A3F2', updated_at: 1 },
      { message_uuid: 'm-exact', part: 1, total: 1, provider_ref: '1000', updated_at: 1 },
    ]);
    const found = async (id: string, type: ReceiptIdType) => (await findReceiptPart(db, id, type))?.message_uuid;
    assert.equal(await found('1000', 'auto'), 'm-exact');
    assert.equal(await found('00001000', 'hex'), 'm-decimal');
    assert.equal(await found('0000041970', 'auto'), 'm-hex');
    assert.equal(await found('a3f2', 'auto'), 'm-hex');
    assert.equal(await found('a3f2', 'as-is'), undefined);
    assert.equal(await found('99999', 'auto'), undefined);
  });
}

// Error causes: every row of the tables, then how a receipt's cause becomes the error.
const GSM_ROWS: Array<[cause: number, name: string, code: number]> = [
  [1, 'unknownSubscriber', 1170],
  [5, 'unidentifiedSubscriber', 1170],
  [6, 'absentSubscriberSM', 1180],
  [9, 'illegalSubscriber', 1170],
  [11, 'teleserviceNotProvisioned', 1190],
  [12, 'illegalEquipment', 1170],
  [13, 'callBarred', 1050],
  [21, 'facilityNotSupported', 1250],
  [27, 'absentSubscriber', 1180],
  [31, 'subscriberBusyForMT-SMS', 1220],
  [32, 'sm-DeliveryFailure', 1230],
  [33, 'messageWaitingListFull', 1180],
  [34, 'systemFailure', 1230],
  [35, 'dataMissing', 1230],
  [36, 'unexpectedDataValue', 1230],
];

for (const [cause, name, code] of GSM_ROWS) {
  test(`GSM MAP ${cause} ${name} → ${code}, from the TLV and from err:`, () => {
    assert.equal(networkErrorCode({ type: 3, code: cause }), code);
    assert.equal(receiptCause({ err: String(cause).padStart(3, '0') })?.code, code);
  });
}
test('the GSM table has exactly the rows tested', () => assert.equal(Object.keys(GSM_MAP_ERRORS).length, GSM_ROWS.length));

const ANSI_ROWS: Array<[cause: number, name: string, code: number]> = [
  [0, 'address vacant', 1170],
  [1, 'address translation failure', 1250],
  [2, 'network resource shortage', 1230],
  [3, 'network failure', 1230],
  [5, 'other network problem', 1230],
  [6, 'unsupported network interface', 1250],
  [32, 'no page response', 1180],
  [33, 'destination busy', 1220],
  [34, 'no acknowledgement', 1180],
  [35, 'destination resource shortage', 1230],
  [36, 'SMS delivery postponed', 1180],
  [37, 'destination out of service', 1180],
  [38, 'destination no longer at this address', 1190],
];

for (const [cause, name, code] of ANSI_ROWS) {
  test(`ANSI-41 cause ${cause} ${name} → ${code} (IS-95 and ANSI-136 cause codes)`, () => {
    assert.equal(networkErrorCode({ type: 5, code: cause }), code);
    assert.equal(networkErrorCode({ type: 4, code: cause }), code);
  });
}
test('the ANSI table has exactly the rows tested', () => assert.equal(Object.keys(ANSI_CAUSE_CODES).length, ANSI_ROWS.length));

const CAUSES: Array<[name: string, receipt: Parameters<typeof receiptCause>[0], expected: ReturnType<typeof receiptCause>]> = [
  ['nothing said', {}, undefined],
  ['err: only', { err: '027' }, { code: 1180, raw: 'SMSC err:027' }],
  ['err: unknown to the table', { err: '099' }, { raw: 'SMSC err:099' }],
  ['err: not a number', { err: 'FF' }, { raw: 'SMSC err:FF' }],
  ['the TLV wins over err:', { err: '001', networkError: { type: 3, code: 31 } }, { code: 1220, raw: 'SMSC network_error_code GSM 31, err:001' }],
  ['SMPP network type: a command_status', { networkError: { type: 7, code: 0x0b } }, { code: 1170, raw: 'SMSC network_error_code SMPP 11' }],
  ['a network type without a table', { networkError: { type: 8, code: 1234 } }, { raw: 'SMSC network_error_code SMSC 1234' }],
  ['an unknown network type', { networkError: { type: 42, code: 1 } }, { raw: 'SMSC network_error_code type 42 1' }],
];

for (const [name, receipt, expected] of CAUSES) {
  test(`receiptCause: ${name}`, () => assert.deepEqual(receiptCause(receipt), expected));
}

const FAILURES: Array<[state: ReceiptState, cause: ReceiptCause | undefined, expected: ReturnType<typeof failureOf>]> = [
  ['UNDELIV', undefined, { error_code: 1330 }],
  ['UNDELIV', { code: 1180, raw: 'SMSC err:027' }, { error_code: 1180, error_detail: 'SMSC err:027' }],
  ['REJECTD', { code: 1050, raw: 'SMSC err:013' }, { error_code: 1050, error_detail: 'SMSC err:013' }],
  ['UNKNOWN', { raw: 'SMSC err:099' }, { error_code: 1330, error_detail: 'SMSC err:099' }],
  ['EXPIRED', { code: 1180, raw: 'SMSC err:027' }, { error_code: 1360, error_detail: 'SMSC err:027' }],
];

for (const [state, cause, expected] of FAILURES) {
  test(`failureOf ${state} with ${cause?.raw ?? 'no cause'}`, () => assert.deepEqual(failureOf(state, cause), expected));
}

test('readNetworkError reads the three octets; anything else is no TLV', () => {
  assert.deepEqual(readNetworkError(Buffer.from([3, 0x00, 0x1b])), { type: 3, code: 27 });
  assert.deepEqual(readNetworkError(Buffer.from([5, 0x01, 0x00])), { type: 5, code: 256 });
  assert.equal(readNetworkError(Buffer.from([3, 0])), undefined);
  assert.equal(readNetworkError('03001b'), undefined);
});

test('receipts with err: and network_error_code reject with the mapped code; the raw cause is in error.detail', async () => {
  const receipts: Record<string, Omit<ReceiptSpec, 'id'>> = {
    absent: { stat: 'UNDELIV', err: '027' },
    busy: { stat: 'UNDELIV', err: '000', networkError: { type: 3, code: 31 } },
    barred: { stat: 'REJECTD', networkError: { type: 3, code: 13 } },
    unknown: { stat: 'UNDELIV', err: '777' },
  };
  const r = await rig({ receipt: (s) => ({ id: s.id, ...receipts[s.text] }) });
  const uuids = await Promise.all(Object.keys(receipts).map((text) => r.send({ text })));
  await waitFor(() => uuids.every((uuid) => r.statuses(uuid).length === 2), 5_000, 'a final status for each');
  const errors = uuids.map((uuid) => r.callbacks(uuid)[1].error);
  assert.deepEqual(errors.map((e) => e.title), ['1180', '1220', '1050', '1330']);
  assert.deepEqual(
    errors.map((e) => /\((SMSC [^)]*)\)$/.exec(e.detail)?.[1]),
    ['SMSC err:027', 'SMSC network_error_code GSM 31, err:000', 'SMSC network_error_code GSM 13, err:000', 'SMSC err:777'],
  );
  assert.match(errors[0].detail, /^Absent subscriber temporary - /);
});

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

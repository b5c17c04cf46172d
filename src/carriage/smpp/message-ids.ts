/**
 * SMSC message ids that change form between the submit_sm_resp and the receipt: some SMSCs
 * answer with a decimal id and write it in hex in the receipt (or the other way round), some pad
 * it with leading zeros. Ids are compared by their key (leading zeros dropped, lower case: the
 * stores index message_parts by this form), after the exact id found nothing.
 *
 * SMSC_RECEIPT_ID_TYPE says what the SMSC does: `auto` tries the unpadded form and then the id
 * read in the other base, `hex` converts a receipt's hex id to decimal, `decimal` a decimal one
 * to hex, `as-is` compares the exact string only.
 */

export const RECEIPT_ID_TYPES = Object.freeze(['auto', 'as-is', 'hex', 'decimal'] as const);
export type ReceiptIdType = (typeof RECEIPT_ID_TYPES)[number];

/** SMPP 3.4 message_id is a C-Octet String of at most 65 octets. */
const MAX_ID_LENGTH = 65;

/** The form stored ids are indexed by: lower(ltrim(provider_ref, '0')) in SQL. */
export function idKey(id: string): string {
  return id.replace(/^0+/, '').toLowerCase();
}

function hexToDecimal(id: string): string | undefined {
  return /^[0-9a-f]+$/i.test(id) && id.length <= MAX_ID_LENGTH ? BigInt(`0x${id}`).toString(10) : undefined;
}

function decimalToHex(id: string): string | undefined {
  return /^\d+$/.test(id) && id.length <= MAX_ID_LENGTH ? BigInt(id).toString(16) : undefined;
}

type Conversion = (id: string) => string | undefined;
const AUTO: Conversion[] = [idKey, hexToDecimal, decimalToHex];

/** Per id type: how a receipt's id becomes the submit id's key, and the other way round. */
const CONVERSIONS: Readonly<Record<ReceiptIdType, { toSubmit: Conversion[]; toReceipt: Conversion[] }>> = Object.freeze({
  'as-is': { toSubmit: [], toReceipt: [] },
  hex: { toSubmit: [hexToDecimal], toReceipt: [decimalToHex] },
  decimal: { toSubmit: [decimalToHex], toReceipt: [hexToDecimal] },
  auto: { toSubmit: AUTO, toReceipt: AUTO },
});

function keys(id: string, conversions: Conversion[]): string[] {
  return [...new Set(conversions.map((convert) => convert(id)).filter((key): key is string => key !== undefined && key !== ''))];
}

/** Keys of the submit_sm_resp id a receipt's id may stand for, most likely first. */
export function submitKeysOfReceiptId(receiptId: string, type: ReceiptIdType): string[] {
  return keys(receiptId, CONVERSIONS[type].toSubmit);
}

/** The other way: keys a receipt about the submit_sm_resp id `submitId` may carry. */
export function receiptKeysOfSubmitId(submitId: string, type: ReceiptIdType): string[] {
  return keys(submitId, CONVERSIONS[type].toReceipt);
}

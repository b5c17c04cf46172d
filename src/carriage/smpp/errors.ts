/**
 * The error cause of an SMPP receipt: the network_error_code TLV (0x0423: one octet network
 * type, two octets the network's error code; SMPP 3.4 section 5.3.2.31) or, without it, the
 * receipt text's `err:` field, which SMSCs fill with the GSM MAP error (3GPP TS 29.002) in
 * decimal. Common causes map to the error catalogue; every cause is kept as written in the
 * error's detail, so a code the tables do not know is still visible to the customer.
 */
import { RECEIPT_MEANING, refusalCode } from './states.js';
import type { NetworkError, ReceiptState } from './receipt.js';

export type { NetworkError };

const NETWORK_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'ANSI-136',
  2: 'IS-95',
  3: 'GSM',
  4: 'ANSI-136 cause',
  5: 'IS-95 cause',
  6: 'ANSI-41',
  7: 'SMPP',
  8: 'SMSC',
});

/** GSM MAP errors (3GPP TS 29.002 section 17.6.6). */
export const GSM_MAP_ERRORS: Readonly<Record<number, number>> = Object.freeze({
  1: 1170, // unknownSubscriber
  5: 1170, // unidentifiedSubscriber
  6: 1180, // absentSubscriberSM
  9: 1170, // illegalSubscriber
  11: 1190, // teleserviceNotProvisioned: the subscription cannot take SMS
  12: 1170, // illegalEquipment
  13: 1050, // callBarred
  21: 1250, // facilityNotSupported
  27: 1180, // absentSubscriber
  31: 1220, // subscriberBusyForMT-SMS
  32: 1230, // sm-DeliveryFailure (memory full, protocol error on the handset side)
  33: 1180, // messageWaitingListFull: still absent
  34: 1230, // systemFailure
  35: 1230, // dataMissing
  36: 1230, // unexpectedDataValue
});

/** ANSI-41 SMS_CauseCode values (TIA/EIA-41-D 6.5.2.125), as IS-95 and ANSI-136 networks report them. */
export const ANSI_CAUSE_CODES: Readonly<Record<number, number>> = Object.freeze({
  0: 1170, // address vacant
  1: 1250, // address translation failure
  2: 1230, // network resource shortage
  3: 1230, // network failure
  5: 1230, // other network problem
  6: 1250, // unsupported network interface
  32: 1180, // no page response
  33: 1220, // destination busy
  34: 1180, // no acknowledgement
  35: 1230, // destination resource shortage
  36: 1180, // SMS delivery postponed
  37: 1180, // destination out of service
  38: 1190, // destination no longer at this address
});

/** The catalogue code of a network_error_code, if its network type has a table and the code is in it. */
export function networkErrorCode(error: NetworkError): number | undefined {
  switch (error.type) {
    case 3:
      return GSM_MAP_ERRORS[error.code];
    case 4:
    case 5:
      return ANSI_CAUSE_CODES[error.code];
    case 7:
      return refusalCode(error.code);
    default:
      return undefined;
  }
}

/** The network_error_code TLV as the smpp package hands it over (a Buffer of three octets). */
export function readNetworkError(value: unknown): NetworkError | undefined {
  if (!Buffer.isBuffer(value) || value.length !== 3) return undefined;
  return { type: value[0], code: value.readUInt16BE(1) };
}

export interface ReceiptCause {
  /** The catalogue code the cause maps to; undefined when no table knows it. */
  code?: number;
  /** The cause as the SMSC gave it, for error.detail. */
  raw: string;
}

/** What a receipt says about why it failed; undefined when it says nothing. The TLV is typed and wins. */
export function receiptCause(receipt: { err?: string; networkError?: NetworkError }): ReceiptCause | undefined {
  const said: string[] = [];
  let code: number | undefined;
  const { networkError, err } = receipt;
  if (networkError) {
    const name = NETWORK_TYPE_NAMES[networkError.type] ?? `type ${networkError.type}`;
    said.push(`network_error_code ${name} ${networkError.code}`);
    code = networkErrorCode(networkError);
  }
  if (err !== undefined) {
    said.push(`err:${err}`);
    if (!networkError && /^\d+$/.test(err)) code = GSM_MAP_ERRORS[Number(err)];
  }
  return said.length === 0 ? undefined : { ...(code !== undefined ? { code } : {}), raw: `SMSC ${said.join(', ')}` };
}

/**
 * The error of a failed part: the state's own code, made specific by the receipt's cause where
 * the state says no more than "failed" (1330); EXPIRED keeps 1360. The cause is kept as written.
 */
export function failureOf(state: ReceiptState, cause: ReceiptCause | undefined): { error_code: number; error_detail?: string } {
  const own = RECEIPT_MEANING[state].errorCode ?? 1330;
  const code = own === 1330 ? (cause?.code ?? own) : own;
  return cause === undefined ? { error_code: code } : { error_code: code, error_detail: cause.raw };
}

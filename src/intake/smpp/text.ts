/**
 * The text of one submit_sm: data_coding 0 (GSM 7-bit default alphabet, one septet per octet),
 * 1 (IA5/ASCII), 3 (Latin-1) and 8 (UCS-2), from short_message or message_payload, with the
 * concatenation element of a user data header (8- or 16-bit reference) split off.
 */
import { decodeGsm } from '../../model/gsm.js';
import { Refusal, STATUS, type RawSubmit } from './pdu.js';

export interface Concat {
  reference: number;
  total: number;
  seq: number;
}

export interface SubmitText {
  text: string;
  concat?: Concat;
}

const UDHI = 0x40;

function decode(dataCoding: number, octets: Buffer): string {
  // 0xF0–0xF3: message class with the default alphabet; 0xF4–0xF7 is 8-bit data.
  const coding = (dataCoding & 0xf0) === 0xf0 ? ((dataCoding & 0x04) === 0 ? 0 : 4) : dataCoding;
  switch (coding) {
    case 0:
      if (octets.some((octet) => octet > 0x7f)) throw new Refusal(STATUS.RINVPARLEN, 'data_coding 0 (GSM 7-bit, unpacked) with an octet above 0x7F');
      return decodeGsm(octets);
    case 1:
      if (octets.some((octet) => octet > 0x7f)) throw new Refusal(STATUS.RINVPARLEN, 'data_coding 1 (IA5) with an octet above 0x7F');
      return octets.toString('latin1');
    case 3:
      return octets.toString('latin1');
    case 8:
      if (octets.length % 2 !== 0) throw new Refusal(STATUS.RINVPARLEN, 'data_coding 8 (UCS-2) with an odd number of octets');
      return Buffer.from(octets).swap16().toString('utf16le');
    default:
      throw new Refusal(STATUS.RINVPARLEN, `data_coding ${dataCoding} is not supported (0, 1, 3 and 8 are)`);
  }
}

/** Reads a user data header; returns the concatenation element (if any) and the payload after it. */
function splitUdh(octets: Buffer): { concat?: Concat; rest: Buffer } {
  if (octets.length === 0) throw new Refusal(STATUS.RINVPARLEN, 'UDH indicator set on an empty message');
  const udhl = octets[0]!;
  if (udhl + 1 > octets.length) throw new Refusal(STATUS.RINVPARLEN, `UDH length ${udhl} exceeds the message`);
  let concat: Concat | undefined;
  let i = 1;
  while (i < udhl + 1) {
    if (i + 2 > udhl + 1) throw new Refusal(STATUS.RINVPARLEN, 'UDH element header cut off');
    const iei = octets[i]!;
    const length = octets[i + 1]!;
    if (i + 2 + length > udhl + 1) throw new Refusal(STATUS.RINVPARLEN, `UDH element 0x${iei.toString(16)} overruns the header`);
    const data = octets.subarray(i + 2, i + 2 + length);
    if (iei === 0x00) {
      if (length !== 3) throw new Refusal(STATUS.RINVPARLEN, 'UDH concatenation element (8-bit) must be 3 octets');
      concat = { reference: data[0]!, total: data[1]!, seq: data[2]! };
    } else if (iei === 0x08) {
      if (length !== 4) throw new Refusal(STATUS.RINVPARLEN, 'UDH concatenation element (16-bit) must be 4 octets');
      concat = { reference: data.readUInt16BE(0), total: data[2]!, seq: data[3]! };
    }
    i += 2 + length;
  }
  return { ...(concat ? { concat } : {}), rest: octets.subarray(udhl + 1) };
}

export function submitText(submit: RawSubmit): SubmitText {
  if (submit.short_message.length > 0 && submit.message_payload !== undefined && submit.message_payload.length > 0) {
    throw new Refusal(STATUS.RINVMSGLEN, 'both short_message and message_payload are set');
  }
  let octets = submit.message_payload ?? submit.short_message;
  let concat: Concat | undefined;
  if (submit.esm_class & UDHI) {
    const split = splitUdh(octets);
    concat = split.concat;
    octets = split.rest;
  }
  if (submit.sar) {
    if (concat) throw new Refusal(STATUS.RINVPARLEN, 'both a UDH concatenation element and SAR TLVs');
    concat = submit.sar;
  }
  if (concat && (concat.total < 1 || concat.seq < 1 || concat.seq > concat.total)) {
    throw new Refusal(STATUS.RINVPARLEN, `concatenation part ${concat.seq} of ${concat.total}`);
  }
  const text = decode(submit.data_coding, octets);
  return concat && concat.total > 1 ? { text, concat } : { text };
}

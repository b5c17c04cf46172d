/**
 * What the SMPP server reads from a submit_sm itself: the raw body (the smpp package decodes
 * short_message by its own idea of data_coding, which loses IA5 and GSM details), command
 * statuses (SMPP 3.4 section 5.1.3) and the time formats (section 7.1).
 */

/** command_status values the server answers with. */
export const STATUS = Object.freeze({
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVCMDLEN: 0x02,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RALYBND: 0x05,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RINVMSGID: 0x0c,
  RBINDFAIL: 0x0d,
  RMSGQFUL: 0x14,
  RINVESMCLASS: 0x43,
  RTHROTTLED: 0x58,
  RINVSCHED: 0x61,
  RINVEXPIRY: 0x62,
  RQUERYFAIL: 0x67,
  RINVTLVSTREAM: 0xc0,
  RINVPARLEN: 0xc2,
});

/** A refusal: the command_status and the reason that is logged. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

export interface RawSubmit {
  service_type: string;
  source: { ton: number; npi: number; addr: string };
  destination: { ton: number; npi: number; addr: string };
  esm_class: number;
  schedule_delivery_time: string;
  validity_period: string;
  registered_delivery: number;
  data_coding: number;
  short_message: Buffer;
  message_payload?: Buffer;
  sar?: { reference: number; total: number; seq: number };
}

const TLV = { message_payload: 0x0424, sar_msg_ref_num: 0x020c, sar_total_segments: 0x020e, sar_segment_seqnum: 0x020f };

/** Parses a submit_sm from its body (everything after command_length). Throws a Refusal. */
export function parseSubmitSm(body: Buffer): RawSubmit {
  // body: command_id, command_status, sequence_number (12 octets), then the parameters.
  let offset = 12;
  const malformed = (what: string) => new Refusal(STATUS.RINVCMDLEN, `submit_sm ends inside ${what}`);
  const octet = (what: string): number => {
    if (offset >= body.length) throw malformed(what);
    return body[offset++]!;
  };
  const cstring = (what: string, max: number): string => {
    const end = body.indexOf(0, offset);
    if (end < 0) throw malformed(what);
    if (end - offset > max - 1) throw new Refusal(what.includes('addr') ? (what.startsWith('source') ? STATUS.RINVSRCADR : STATUS.RINVDSTADR) : STATUS.RINVPARLEN, `${what} longer than ${max - 1} octets`);
    const value = body.subarray(offset, end).toString('latin1');
    offset = end + 1;
    return value;
  };
  const service_type = cstring('service_type', 6);
  const source = { ton: octet('source_addr_ton'), npi: octet('source_addr_npi'), addr: cstring('source_addr', 21) };
  const destination = { ton: octet('dest_addr_ton'), npi: octet('dest_addr_npi'), addr: cstring('destination_addr', 21) };
  const esm_class = octet('esm_class');
  octet('protocol_id');
  octet('priority_flag');
  const schedule_delivery_time = cstring('schedule_delivery_time', 17);
  const validity_period = cstring('validity_period', 17);
  const registered_delivery = octet('registered_delivery');
  octet('replace_if_present_flag');
  const data_coding = octet('data_coding');
  octet('sm_default_msg_id');
  const smLength = octet('sm_length');
  if (offset + smLength > body.length) throw new Refusal(STATUS.RINVMSGLEN, `sm_length ${smLength} exceeds the PDU`);
  const short_message = body.subarray(offset, offset + smLength);
  offset += smLength;

  const submit: RawSubmit = { service_type, source, destination, esm_class, schedule_delivery_time, validity_period, registered_delivery, data_coding, short_message };
  const sar: Partial<NonNullable<RawSubmit['sar']>> = {};
  while (offset < body.length) {
    if (offset + 4 > body.length) throw new Refusal(STATUS.RINVTLVSTREAM, 'a TLV header is cut off');
    const tag = body.readUInt16BE(offset);
    const length = body.readUInt16BE(offset + 2);
    offset += 4;
    if (offset + length > body.length) throw new Refusal(STATUS.RINVTLVSTREAM, `TLV 0x${tag.toString(16)} claims ${length} octets beyond the PDU`);
    const value = body.subarray(offset, offset + length);
    offset += length;
    if (tag === TLV.message_payload) submit.message_payload = value;
    else if (tag === TLV.sar_msg_ref_num) sar.reference = length === 2 ? value.readUInt16BE(0) : NaN;
    else if (tag === TLV.sar_total_segments) sar.total = length === 1 ? value[0] : NaN;
    else if (tag === TLV.sar_segment_seqnum) sar.seq = length === 1 ? value[0] : NaN;
  }
  const sarGiven = [sar.reference, sar.total, sar.seq].filter((v) => v !== undefined).length;
  if (sarGiven > 0) {
    if (sarGiven !== 3 || [sar.reference, sar.total, sar.seq].some((v) => Number.isNaN(v))) {
      throw new Refusal(STATUS.RINVPARLEN, 'SAR TLVs incomplete or of the wrong length');
    }
    submit.sar = sar as NonNullable<RawSubmit['sar']>;
  }
  return submit;
}

/**
 * A validity_period as a TTL in whole seconds from `now` (undefined when empty). Absolute:
 * YYMMDDhhmmsstnn±, relative: YYMMDDhhmmss000R (a year counted as 365 days, a month as 30).
 */
export function validityTtl(value: string, now: number): number | undefined {
  if (value === '') return undefined;
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/.exec(value);
  if (!match) throw new Refusal(STATUS.RINVEXPIRY, `validity_period ${JSON.stringify(value)} is not in SMPP time format`);
  const [, yy, mo, dd, hh, mi, ss, , nn, p] = match;
  const n = (s: string | undefined) => Number(s);
  let seconds: number;
  if (p === 'R') {
    seconds = ((n(yy) * 365 + n(mo) * 30 + n(dd)) * 24 + n(hh)) * 3600 + n(mi) * 60 + n(ss);
  } else {
    const local = Date.UTC(2000 + n(yy), n(mo) - 1, n(dd), n(hh), n(mi), n(ss));
    const offsetMs = n(nn) * 15 * 60_000 * (p === '+' ? 1 : -1);
    if (n(mo) < 1 || n(mo) > 12 || n(dd) < 1 || n(dd) > 31 || n(hh) > 23 || n(mi) > 59 || n(ss) > 59 || n(nn) > 48) {
      throw new Refusal(STATUS.RINVEXPIRY, `validity_period ${JSON.stringify(value)} is not a valid time`);
    }
    seconds = Math.ceil((local - offsetMs - now) / 1000);
  }
  if (seconds <= 0) throw new Refusal(STATUS.RINVEXPIRY, `validity_period ${JSON.stringify(value)} is already over`);
  return seconds;
}

/** SMPP absolute time (UTC, "00+") for query_sm_resp final_date. */
export function smppAbsoluteTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (v: number) => String(v).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}${Math.floor(d.getUTCMilliseconds() / 100)}00+`;
}

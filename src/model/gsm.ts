/**
 * Short message encoding (3GPP TS 23.038 / 23.040): GSM 7-bit where every character is in the
 * default alphabet or its extension table, otherwise UCS-2; long text split into concatenated
 * parts. Septets are sent one per octet (unpacked), as SMPP's data_coding 0 expects.
 *
 * Limits: one part holds 160 septets (GSM) or 70 UTF-16 units (UCS-2); once split, the 6-octet
 * concatenation header leaves 153 septets or 67 units per part.
 */

/** The default alphabet in code order; index = septet. 0x1B (escape) is not a character. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const ESCAPE = 0x1b;
/** The extension table: each of these costs two septets (escape + code). */
const EXTENDED: Readonly<Record<string, number>> = Object.freeze({
  '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65,
});
const BASIC_CODE: ReadonlyMap<string, number> = new Map([...BASIC].map((char, code) => [char, code] as [string, number]).filter(([, code]) => code !== ESCAPE));

export const DATA_CODING = Object.freeze({ gsm: 0x00, ucs2: 0x08 });
export const MAX_PARTS = 255;

const LIMITS = {
  gsm: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

export interface EncodedSms {
  dataCoding: number;
  /** Each part's payload, without the concatenation header. */
  parts: Buffer[];
}

/** Septets of one character (1 or 2), or undefined if it is not in the GSM alphabet. */
function gsmSeptets(char: string): number[] | undefined {
  const basic = BASIC_CODE.get(char);
  if (basic !== undefined) return [basic];
  const extended = EXTENDED[char];
  return extended === undefined ? undefined : [ESCAPE, extended];
}

/** Splits units into chunks of at most `size`, never between two units that belong together. */
function chunk<T>(units: T[][], single: number, size: number): T[][] {
  const total = units.reduce((sum, unit) => sum + unit.length, 0);
  if (total <= single) return [units.flat()];
  const chunks: T[][] = [[]];
  for (const unit of units) {
    if (chunks[chunks.length - 1].length + unit.length > size) chunks.push([]);
    chunks[chunks.length - 1].push(...unit);
  }
  return chunks;
}

export function encodeSms(text: string): EncodedSms {
  const chars = [...text];
  const septets = chars.map(gsmSeptets);
  if (septets.every((s): s is number[] => s !== undefined)) {
    const parts = chunk(septets, LIMITS.gsm.single, LIMITS.gsm.part).map((p) => Buffer.from(p));
    return checked({ dataCoding: DATA_CODING.gsm, parts });
  }
  // UCS-2 is UTF-16BE; a character outside the BMP is a surrogate pair that must stay in one part.
  const units = chars.map((char) => {
    const le = Buffer.from(char, 'utf16le');
    return [...le.swap16()];
  });
  const parts = chunk(units, LIMITS.ucs2.single * 2, LIMITS.ucs2.part * 2).map((p) => Buffer.from(p));
  return checked({ dataCoding: DATA_CODING.ucs2, parts });
}

function checked(encoded: EncodedSms): EncodedSms {
  if (encoded.parts.length > MAX_PARTS) throw new RangeError(`text needs ${encoded.parts.length} parts, at most ${MAX_PARTS} fit`);
  return encoded;
}

/**
 * The user data header of part `seq` of `total` (8-bit reference concatenation, IE 0x00).
 * The reference must be the same for every part of one message and differ between messages
 * to the same handset that could overlap.
 */
export function concatHeader(reference: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, seq]);
}

/** Reads a user data header's concatenation element back (tests and the stand-in SMSC use it). */
export function readConcatHeader(udh: Buffer): { reference: number; total: number; seq: number } | undefined {
  if (udh.length < 6 || udh[1] !== 0x00 || udh[2] !== 0x03) return undefined;
  return { reference: udh[3], total: udh[4], seq: udh[5] };
}

/** Decodes GSM septets (one per octet) back to text. */
export function decodeGsm(septets: Buffer): string {
  const extended = new Map(Object.entries(EXTENDED).map(([char, code]) => [code, char]));
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    if (septets[i] === ESCAPE && i + 1 < septets.length) text += extended.get(septets[++i]) ?? ' ';
    else text += BASIC[septets[i]] ?? ' ';
  }
  return text;
}

export interface SmsSplit {
  encoding: 'gsm' | 'ucs2';
  /** Septets (GSM 7-bit, extension characters count twice) or UTF-16 units (UCS-2). */
  units: number;
  parts: number;
}

/** How encodeSms will split a text (the suite's live count shows this); empty text is one part. */
export function smsSplit(text: string): SmsSplit {
  const encoded = encodeSms(text);
  const octets = encoded.parts.reduce((sum, part) => sum + part.length, 0);
  return encoded.dataCoding === DATA_CODING.gsm
    ? { encoding: 'gsm', units: octets, parts: encoded.parts.length }
    : { encoding: 'ucs2', units: octets / 2, parts: encoded.parts.length };
}

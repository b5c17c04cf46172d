/**
 * Which network addresses a tenant-chosen destination may reach (the destination guard).
 *
 * Pure code: parses every spelling of an IPv4 or IPv6 address (dotted, decimal, octal, hex, short
 * forms as the WHATWG URL parser and inet_aton read them; IPv6 with embedded IPv4), classifies
 * it, and decides against the operator's allowlist (`ALLOWED_DESTINATION_NETWORKS`). The HTTP
 * sender asks it about the address it is about to connect to; the API validators ask it about
 * literal addresses in URLs, so those are refused before anything is stored.
 */

export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: number[];
}

export interface Cidr {
  family: 4 | 6;
  bytes: number[];
  prefix: number;
}

/** One part of a loose IPv4 address: decimal, 0x hex or leading-0 octal. */
function ipv4Part(part: string): number | undefined {
  if (part === '') return undefined;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits === '') return 0;
    if (!/^[0-9a-f]+$/i.test(digits)) return undefined;
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
    if (!/^[0-7]+$/.test(digits)) return undefined;
  } else if (!/^[0-9]+$/.test(digits)) {
    return undefined;
  }
  const value = parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** IPv4 in any spelling inet_aton or the URL parser accepts: `127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.1`. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = ipv4Part(part);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (4 - numbers.length)) return undefined;
  const bytes = [...numbers];
  for (let i = 4 - numbers.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** IPv6, with `::`, an embedded dotted IPv4 tail and an optional zone (`%eth0`, ignored). */
export function parseIPv6(text: string): number[] | undefined {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(piece) ? piece.split('.').map(Number) : undefined;
        if (!v4 || v4.some((n) => n > 255)) return undefined;
        out.push(v4[0]! * 256 + v4[1]!, v4[2]! * 256 + v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    words = head;
  }
  if (words.length !== 8) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Any spelling of an IP address, or undefined for a name. */
export function parseIp(text: string): IpAddress | undefined {
  const v6 = parseIPv6(text);
  if (v6) return { family: 6, bytes: v6 };
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  return undefined;
}

function cidr(text: string): Cidr {
  const [address, prefix] = text.split('/') as [string, string];
  const ip = parseIp(address)!;
  return { family: ip.family, bytes: ip.bytes, prefix: Number(prefix) };
}

export function inCidr(bytes: readonly number[], family: 4 | 6, range: Cidr): boolean {
  if (family !== range.family) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

/** Forbidden IPv4 ranges, most specific first so the reason names the right one. */
const V4: ReadonlyArray<[string, string]> = [
  ['169.254.169.254/32', 'cloud metadata'],
  ['100.100.100.200/32', 'cloud metadata'],
  ['192.0.0.192/32', 'cloud metadata'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'AS112'],
  ['192.52.193.0/24', 'AMT'],
  ['192.88.99.0/24', '6to4 relay'],
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'AS112'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const V6: ReadonlyArray<[string, string]> = [
  ['fd00:ec2::254/128', 'cloud metadata'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'discard'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'segment routing'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
  ['::/8', 'reserved'],
];

const V4_RANGES = V4.map(([range, reason]) => ({ range: cidr(range), reason }));
const V6_RANGES = V6.map(([range, reason]) => ({ range: cidr(range), reason }));

const UNSPECIFIED_V6 = cidr('::/128');
const LOOPBACK_V6 = cidr('::1/128');

/** IPv6 forms that carry an IPv4 address: the IPv4 address is what the packets reach. */
const EMBEDDING: ReadonlyArray<{ range: Cidr; offset: number; name: string }> = [
  { range: cidr('::ffff:0:0/96'), offset: 12, name: 'IPv4-mapped' },
  { range: cidr('::ffff:0:0:0/96'), offset: 12, name: 'IPv4-translated' },
  { range: cidr('64:ff9b::/96'), offset: 12, name: 'NAT64' },
  { range: cidr('64:ff9b:1::/48'), offset: 12, name: 'NAT64' },
  { range: cidr('::/96'), offset: 12, name: 'IPv4-compatible' },
  { range: cidr('2002::/16'), offset: 2, name: '6to4' },
];

/** The IPv4 address an IPv6 address stands for, if it is one of the forms that embed one. */
export function embeddedIPv4(ip: IpAddress): { bytes: number[]; name: string } | undefined {
  if (ip.family !== 6) return undefined;
  for (const { range, offset, name } of EMBEDDING) {
    if (inCidr(ip.bytes, 6, range)) return { bytes: ip.bytes.slice(offset, offset + 4), name };
  }
  return undefined;
}

/** Why an address is not a public unicast address, or undefined when it is. */
export function classifyIp(ip: IpAddress): string | undefined {
  if (ip.family === 4) return V4_RANGES.find(({ range }) => inCidr(ip.bytes, 4, range))?.reason;
  if (inCidr(ip.bytes, 6, UNSPECIFIED_V6)) return 'unspecified';
  if (inCidr(ip.bytes, 6, LOOPBACK_V6)) return 'loopback';
  const embedded = embeddedIPv4(ip);
  if (embedded) {
    // Teredo-like and mapped forms reach the embedded IPv4 address; judge that one.
    const inner = classifyIp({ family: 4, bytes: embedded.bytes });
    return inner ? `${embedded.name} ${inner}` : undefined;
  }
  if (inCidr(ip.bytes, 6, cidr('2001::/32'))) return 'Teredo';
  return V6_RANGES.find(({ range }) => inCidr(ip.bytes, 6, range))?.reason;
}

/** `127.0.0.0/8,::1/128` → ranges; throws an Error naming the bad entry. */
export function parseCidrList(text: string): Cidr[] {
  const out: Cidr[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address, prefixText, extra] = entry.split('/');
    const v6 = parseIPv6(address!);
    const v4 = v6 ? undefined : /^\d{1,3}(\.\d{1,3}){3}$/.test(address!) ? parseIPv4(address!) : undefined;
    const family = v6 ? 6 : 4;
    const max = family === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if ((!v6 && !v4) || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw new Error(`"${entry}" is not a CIDR range like 127.0.0.0/8 or ::1/128`);
    }
    out.push({ family, bytes: (v6 ?? v4)!, prefix });
  }
  return out;
}

export const DESTINATION_NOT_ALLOWED = 'destination address not allowed';

/** The guard's decision for one address, with the operator's allowlist applied. */
export interface AddressPolicy {
  /** Why `address` may not be reached (e.g. "loopback"), or undefined when it may. */
  refusal(address: string | IpAddress): string | undefined;
}

export function createAddressPolicy(allowed: readonly Cidr[] = []): AddressPolicy {
  const listed = (ip: IpAddress) => allowed.some((range) => inCidr(ip.bytes, ip.family, range));
  return {
    refusal(address) {
      const ip = typeof address === 'string' ? parseIp(address) : address;
      if (!ip) return 'not an IP address';
      const reason = classifyIp(ip);
      if (!reason || listed(ip)) return undefined;
      const embedded = embeddedIPv4(ip);
      if (embedded && listed({ family: 4, bytes: embedded.bytes })) return undefined;
      return reason;
    },
  };
}

/** Names that always mean this machine, whatever DNS says (RFC 6761). */
function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * Why the host of a URL is not allowed, judged without DNS: IP literals in every spelling the
 * URL parser reads, and `localhost`. Names are checked again at connect time by the sender.
 * Takes the URL parsed already where the caller has it.
 */
export function urlHostRefusal(url: string | URL, policy: AddressPolicy): string | undefined {
  let hostname: string;
  try {
    hostname = typeof url === 'string' ? new URL(url).hostname : url.hostname;
  } catch {
    return undefined;
  }
  if (isLocalhostName(hostname)) {
    return policy.refusal('127.0.0.1') && policy.refusal('::1') ? 'loopback' : undefined;
  }
  const ip = parseIp(hostname);
  return ip ? policy.refusal(ip) : undefined;
}

/**
 * The destination guard for outbound callback requests: a connector for undici that resolves the
 * host itself, refuses every address the policy forbids (model/address.ts) and connects to the
 * very address it checked, so a DNS answer that changes between check and connect (rebinding)
 * cannot slip through. IP literals never reach DNS and are checked as they are.
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { DESTINATION_NOT_ALLOWED, type AddressPolicy } from '../../model/address.js';

/** The error code a refused connection fails with; the sender turns it into a permanent failure. */
export const DESTINATION_REFUSED_CODE = 'ERR_DESTINATION_NOT_ALLOWED';

export class DestinationRefusedError extends Error {
  readonly code = DESTINATION_REFUSED_CODE;
  constructor(readonly host: string, readonly address: string, readonly why: string) {
    super(DESTINATION_NOT_ALLOWED);
    this.name = 'DestinationRefusedError';
  }
}

type LookupAll = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * A `lookup` for net.connect / tls.connect that only ever returns addresses the policy allows;
 * when every address is forbidden it fails with DestinationRefusedError.
 */
export function guardedLookup(policy: AddressPolicy, resolve: LookupAll = dns.lookup as unknown as LookupAll): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const allowed = addresses.filter((entry) => policy.refusal(entry.address) === undefined);
      if (allowed.length === 0) {
        const first = addresses[0];
        const why = first ? policy.refusal(first.address)! : 'no address';
        return callback(new DestinationRefusedError(hostname, first?.address ?? '', why));
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  }) as LookupFunction;
}

/** An undici `connect` that applies the policy to literal and resolved addresses alike. */
export function guardedConnector(policy: AddressPolicy, options: buildConnector.BuildOptions): buildConnector.connector {
  const base = buildConnector({ ...options, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const { hostname } = connectOptions;
    if (isIP(hostname)) {
      const why = policy.refusal(hostname);
      if (why) {
        queueMicrotask(() => callback(new DestinationRefusedError(hostname, hostname, why), null));
        return;
      }
    }
    return base(connectOptions, (err, socket) => {
      // Belt and braces: the peer the socket reached must be allowed too.
      const remote = socket?.remoteAddress;
      if (!err && socket && remote && policy.refusal(remote)) {
        socket.destroy();
        return callback(new DestinationRefusedError(hostname, remote, policy.refusal(remote)!), null);
      }
      if (err) return callback(err, null);
      callback(null, socket!);
    });
  };
}

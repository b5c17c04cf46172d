/**
 * The error codes a `rejected` or `undeliverable` callback can carry (docs/statuses.md),
 * numbered and named as in the public Messages API error list so that receivers written for
 * that API understand them unchanged.
 *
 * `permanent` says whether sending the same message again could succeed: false for conditions
 * that pass (throttling, a busy handset, a network hiccup), true where a retry would fail the
 * same way. Routing and failover may use it; the callback itself does not carry it.
 */
import type { ErrorObject } from './types.js';

export interface ErrorDefinition {
  /** The code as a string: the `title` of the error object, as in the public API. */
  readonly title: string;
  /** Human text: a short name, a dash, then what happened. */
  readonly detail: string;
  readonly permanent: boolean;
}

function def(code: number, detail: string, permanent: boolean): [number, ErrorDefinition] {
  return [code, Object.freeze({ title: String(code), detail, permanent })];
}

export const ERROR_CODES: Readonly<Record<number, ErrorDefinition>> = Object.freeze(
  Object.fromEntries([
    def(1000, 'Throttled - the submission capacity of the account was exceeded; wait and retry', false),
    def(1020, 'Invalid params - the value of one or more parameters is invalid', true),
    def(1030, 'Internal error - the platform failed while processing the message', false),
    def(1050, 'Number barred - the recipient number is blocked and may not receive messages', true),
    def(1170, 'Invalid recipient - the recipient number is missing or not a valid number', true),
    def(1180, 'Absent subscriber temporary - the handset is switched off or out of coverage', false),
    def(1190, 'Absent subscriber permanent - the number is no longer in service', true),
    def(1210, 'Anti-spam rejection - the message was refused by a spam filter', true),
    def(1220, 'Handset busy - the handset could not take the message at the time', false),
    def(1230, 'Temporary network failure - the network failed while delivering the message', false),
    def(1240, 'Illegal number - the recipient has opted out of messages from this sender', true),
    def(1250, 'Unroutable - no route to the recipient network is available', true),
    def(1260, 'Destination unreachable - the recipient network could not be reached', false),
    def(1300, 'Not part of the provider network - the recipient is not a user of this channel', true),
    def(1330, 'Delivery failed - the message failed for an unknown, permanent reason', true),
    def(1331, 'Provider error - the provider reported an error it did not explain', false),
    def(1340, 'Outside the allowed window - the recipient has not written within the window that allows this message', true),
    def(1360, 'TTL expired - the message was not delivered before its time to live ran out', true),
    def(1380, 'Invalid media resource - the media could not be fetched or is not supported', true),
    def(1400, 'Unsupported channel - the channel is not supported for this message or recipient', true),
    def(1490, 'SMS segment timeout - not every part of the multipart message was delivered in time', false),
  ]),
);

/**
 * Builds the `error` object of a callback. `typeBase` is the URL of the error documentation
 * (without `#`); `instance` identifies this occurrence. Unknown codes throw: an error code a
 * customer cannot look up is a bug in the caller, not something to forward. `providerDetail` is
 * what the provider said, as it said it (e.g. an SMSC's raw error cause): it follows the catalogue's
 * text in brackets, so a cause the mapping tables do not know still reaches the customer.
 */
export function makeError(code: number, typeBase: string, instance: string, providerDetail?: string): ErrorObject {
  const definition = ERROR_CODES[code];
  if (definition === undefined) throw new RangeError(`unknown error code ${code}`);
  const detail = providerDetail === undefined ? definition.detail : `${definition.detail} (${providerDetail})`;
  return { type: `${typeBase}#${code}`, title: definition.title, detail, instance };
}

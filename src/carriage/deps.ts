/** What every provider connector is built with. */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Metrics } from '../ops/metrics.js';
import type { ErrorObject, ProviderReport } from '../model/types.js';
import type { ReportSink } from './carrier.js';
import type { Refusals } from './refusals.js';
import { makeError } from '../model/errors.js';
import type { Clock } from '../model/clock.js';

export interface ConnectorDeps {
  store: Store;
  /** Records a report; resolves once it is stored (only then is the provider acknowledged). */
  report: ReportSink;
  refusals: Refusals;
  metrics: Metrics;
  logger: Logger;
  /** Time, timers and randomness for every connector. */
  clock: Clock;
  newId: () => string;
  errorTypeBase: string;
  onError: (error: unknown) => void;
}

/** The error object of a code from the catalogue, with a fresh instance id (and what the provider said). */
export function errorOf(deps: Pick<ConnectorDeps, 'errorTypeBase' | 'newId'>, code: number, providerDetail?: string): ErrorObject {
  return makeError(code, deps.errorTypeBase, deps.newId(), providerDetail);
}

/** A `rejected` or `undeliverable` report with its error object. */
export function failureReport(
  deps: Pick<ConnectorDeps, 'errorTypeBase' | 'newId' | 'clock'>,
  source: string,
  uuid: string,
  status: 'rejected' | 'undeliverable',
  code: number,
): ProviderReport {
  return { message_uuid: uuid, status, occurred_at: deps.clock.now(), source, error: errorOf(deps, code) };
}

/**
 * A provider's own timestamp if it is believable, else now: a clock far off (or a receipt
 * date in the SMSC's local time) must not put a callback days away from when it happened.
 */
export function believableTime(reported: number | undefined, now: number): number {
  const week = 7 * 24 * 3_600_000;
  return reported !== undefined && reported <= now + 60_000 && reported >= now - week ? reported : now;
}

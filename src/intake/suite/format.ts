/** How the suite writes and reads times: UTC, to the second, the same in every language. */
import { parseIsoTime } from '../../model/iso-time.js';

export function utc(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A `datetime-local` value (read as UTC) to epoch ms; undefined when empty or not a real calendar time. */
export function parseUtcInput(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  return parseIsoTime(`${value}Z`);
}

/** The `datetime-local` value of an epoch ms time (UTC), to the minute. */
export function utcInput(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().slice(0, 16);
}

/**
 * Cloud API status webhooks as provider reports (docs/statuses.md):
 * `entry[].changes[].value.statuses[]` with `id`, `status` (sent, delivered, read, failed),
 * `timestamp` (unix seconds), `recipient_id`, `errors[]`, `pricing`, `conversation`.
 * sent → submitted, failed → rejected with an error object; a read without delivered first
 * is the lifecycle's business (it records both). pricing and conversation go into the
 * callback's `whatsapp` details.
 */
import type { Status } from '../../model/vocabulary.js';
import type { ErrorObject } from '../../model/types.js';
import type { NormalizedStatus } from '../webhook.js';
import { believableTime } from '../deps.js';
import { shown } from '../webhook.js';
import { whatsappErrorCode } from './errors.js';

const STATUS: Readonly<Record<string, Status>> = Object.freeze({ sent: 'submitted', delivered: 'delivered', read: 'read', failed: 'rejected' });

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Every status object of a webhook body, wherever it sits; messages and other fields are not ours. */
export function statusObjects(body: unknown): unknown[] {
  if (!isObject(body)) return [];
  return list(body.entry).flatMap((entry) =>
    list(isObject(entry) ? entry.changes : undefined).flatMap((change) => {
      const value = isObject(change) ? change.value : undefined;
      return list(isObject(value) ? value.statuses : undefined);
    }),
  );
}

export function normalizeStatus(raw: unknown, now: number, makeError: (code: number) => ErrorObject): NormalizedStatus {
  if (!isObject(raw) || typeof raw.id !== 'string' || raw.id === '') {
    return { ok: false, reason: 'malformed', detail: 'status without an id' };
  }
  const ref = raw.id;
  const status = typeof raw.status === 'string' ? STATUS[raw.status] : undefined;
  if (!status) return { ok: false, reason: 'unknown-state', detail: `status ${shown(raw.status)} has no mapping`, ref };
  const seconds = typeof raw.timestamp === 'string' || typeof raw.timestamp === 'number' ? Number(raw.timestamp) : NaN;
  const report: Extract<NormalizedStatus, { ok: true }>['report'] = {
    status,
    occurred_at: believableTime(Number.isFinite(seconds) ? seconds * 1000 : undefined, now),
    source: 'whatsapp',
  };
  const details: Obj = {};
  if (isObject(raw.pricing)) details.pricing = raw.pricing;
  if (isObject(raw.conversation)) details.conversation = raw.conversation;
  if (Object.keys(details).length > 0) report.whatsapp = details;
  if (status === 'rejected') {
    const first = list(raw.errors)[0];
    report.error = makeError(whatsappErrorCode(isObject(first) ? first.code : undefined));
  }
  return { ok: true, ref, report };
}

/**
 * Status callbacks of an upstream Messages API as provider reports. They have our callback's
 * shape (docs/callbacks.md), with the variations seen in the wild: `workflow` spelled
 * workflow_id/items_number/items_total or id/item_number/total_items, `error.title` as a
 * number or a string, `sms.count_total` or `sms.total_count`.
 */
import type { ErrorObject, ReportDetails, Workflow } from '../../model/types.js';
import { isStatus } from '../../model/vocabulary.js';
import { ERROR_CODES } from '../../model/errors.js';
import { shown, type NormalizedStatus } from '../webhook.js';
import { believableTime } from '../deps.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** Either spelling of `workflow`, as strings; undefined if neither is complete. */
export function normalizeWorkflow(raw: unknown): Workflow | undefined {
  if (!isObject(raw)) return undefined;
  const spellings: Array<[string, string, string]> = [
    ['workflow_id', 'items_number', 'items_total'],
    ['id', 'item_number', 'total_items'],
  ];
  for (const [id, number, total] of spellings) {
    const [workflow_id, items_number, items_total] = [text(raw[id]), text(raw[number]), text(raw[total])];
    if (workflow_id && items_number && items_total) return { workflow_id, items_number, items_total };
  }
  return undefined;
}

/** The Messages API code of an upstream error: `title` (number or string), else the `type` URL's #code. */
export function upstreamErrorCode(raw: unknown): number | undefined {
  if (!isObject(raw)) return undefined;
  const candidates = [text(raw.title), /#(\d+)$/.exec(typeof raw.type === 'string' ? raw.type : '')?.[1]];
  for (const candidate of candidates) {
    const code = candidate !== undefined && /^\d+$/.test(candidate.trim()) ? Number(candidate) : undefined;
    if (code !== undefined && ERROR_CODES[code]) return code;
  }
  return undefined;
}

function details(body: Obj): ReportDetails {
  const out: ReportDetails = {};
  const usage = body.usage;
  if (isObject(usage) && text(usage.currency) && text(usage.price)) out.usage = { currency: text(usage.currency)!, price: text(usage.price)! };
  const network = isObject(body.destination) ? text(body.destination.network_code) : undefined;
  if (network) out.network_code = network;
  const sms = isObject(body.sms) ? body.sms : undefined;
  const count = sms && (text(sms.count_total) ?? text(sms.total_count));
  if (count) out.sms = { count_total: count };
  if (isObject(body.whatsapp)) out.whatsapp = body.whatsapp;
  if (isObject(body.profile)) out.profile = body.profile;
  return out;
}

export function normalizeCallback(body: unknown, now: number, makeError: (code: number) => ErrorObject): NormalizedStatus {
  if (!isObject(body) || !text(body.message_uuid)) return { ok: false, reason: 'malformed', detail: 'callback without message_uuid' };
  const ref = text(body.message_uuid)!;
  if (!isStatus(body.status)) return { ok: false, reason: 'unknown-state', detail: `status ${shown(body.status)} has no mapping`, ref };
  const at = typeof body.timestamp === 'string' ? Date.parse(body.timestamp) : NaN;
  const report: Extract<NormalizedStatus, { ok: true }>['report'] = {
    status: body.status,
    occurred_at: believableTime(Number.isNaN(at) ? undefined : at, now),
    source: 'upstream',
    ...details(body),
  };
  if (body.status === 'rejected' || body.status === 'undeliverable') {
    // An error the catalogue does not know is still the provider's error, not something to invent a meaning for.
    report.error = makeError(upstreamErrorCode(body.error) ?? 1331);
  }
  return { ok: true, ref, report };
}

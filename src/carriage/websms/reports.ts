/**
 * websms delivery reports as provider reports: `transferId` names the message, the
 * `deliveryReportMessageStatus` maps as codes.ts says, `deliveredOn` dates a delivery, and
 * `deliveredAs` (sms, push, failover-sms, voice) goes into the callback's `websms.delivered_as`.
 */
import type { ErrorObject } from '../../model/types.js';
import { believableTime } from '../deps.js';
import { shown, type NormalizedStatus } from '../webhook.js';
import { REPORT_STATUSES } from './codes.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a body is not a delivery report statusrelay can read at all, or undefined if it is one. */
export function reportProblem(body: unknown): { reason: string; detail: string } | undefined {
  if (!isObject(body)) return { reason: 'malformed', detail: 'the body is not a JSON object' };
  if (body.messageType !== 'deliveryReport') {
    return { reason: 'not-a-report', detail: `messageType ${shown(body.messageType)} is not deliveryReport` };
  }
  if (typeof body.transferId !== 'string' || body.transferId === '') return { reason: 'malformed', detail: 'delivery report without a transferId' };
  return undefined;
}

/** A delivery report as a status; undefined for progress that changes nothing (`undelivered`: the network retries). */
export function normalizeReport(body: unknown, now: number, makeError: (code: number) => ErrorObject): NormalizedStatus | undefined {
  const problem = reportProblem(body);
  if (problem) return { ok: false, ...problem };
  const report = body as Obj;
  const ref = report.transferId as string;
  const raw = report.deliveryReportMessageStatus;
  const meaning = typeof raw === 'string' && Object.hasOwn(REPORT_STATUSES, raw) ? REPORT_STATUSES[raw] : undefined;
  if (!meaning) return { ok: false, reason: 'unknown-state', detail: `deliveryReportMessageStatus ${shown(raw)} has no mapping`, ref };
  if (!meaning.status) return undefined;
  const deliveredOn = typeof report.deliveredOn === 'string' ? Date.parse(report.deliveredOn) : NaN;
  const normalized: Extract<NormalizedStatus, { ok: true }> = {
    ok: true,
    ref,
    report: {
      status: meaning.status,
      occurred_at: believableTime(meaning.status === 'delivered' && !Number.isNaN(deliveredOn) ? deliveredOn : undefined, now),
      source: 'websms',
    },
  };
  if (meaning.errorCode !== undefined) normalized.report.error = makeError(meaning.errorCode);
  if (typeof report.deliveredAs === 'string' && report.deliveredAs !== '') normalized.report.websms = { delivered_as: report.deliveredAs };
  return normalized;
}

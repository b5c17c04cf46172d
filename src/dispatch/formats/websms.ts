/**
 * The websms delivery report (README, "The websms REST API"): what a customer of the websms REST
 * API (or of the legacy XML interface) receives at its notificationCallbackUrl, as JSON or as its
 * XML form, and how such a receiver acknowledges it.
 *
 * Statuses and error codes map to `deliveryReportMessageStatus` through WEBSMS_REPORT_STATUS,
 * the one table the README repeats.
 */
import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { CallbackPayload, Message } from '../../model/types.js';
import type { Status } from '../../model/vocabulary.js';
import { classifyHttpStatus } from '../../model/retry.js';
import type { AnswerJudgement, BodyFormat } from './format.js';

export type WebsmsReportStatus = 'accepted' | 'delivered' | 'undelivered' | 'expired' | 'deleted' | 'rejected';

/**
 * statusrelay status (and, for `rejected`, its error code) → websms report status. Codes not
 * named under a status take its `*` entry.
 */
export const WEBSMS_REPORT_STATUS: Readonly<Record<Status, Readonly<Record<string, WebsmsReportStatus>>>> = Object.freeze({
  submitted: { '*': 'accepted' },
  delivered: { '*': 'delivered' },
  read: { '*': 'delivered' },
  // A TTL that ran out (1360) and parts of a multipart SMS that never arrived in time (1490):
  // the network stopped trying. Everything else the carrier or platform refused.
  rejected: { '1360': 'expired', '1490': 'expired', '*': 'rejected' },
  // statusrelay could not reach the network and stopped trying: no more retries.
  undeliverable: { '*': 'expired' },
});

export function websmsReportStatus(status: Status, errorCode?: string): WebsmsReportStatus {
  const row = WEBSMS_REPORT_STATUS[status];
  return (errorCode !== undefined ? row[errorCode] : undefined) ?? row['*']!;
}

/** The report's fields, in the order they are written (the body bytes are signed). */
export interface WebsmsDeliveryReport {
  messageType: 'deliveryReport';
  notificationId: string;
  transferId: string;
  senderAddress: string;
  recipientAddress: string;
  deliveryReportMessageStatus: WebsmsReportStatus;
  sentOn: string;
  deliveredOn: string | null;
  /** How the handset got it: `sms`, or what websms as the provider reported (push, failover-sms, voice). */
  deliveredAs: string;
  clientMessageId?: string;
}

/** What an upstream websms reported (`websms.delivered_as`), else `sms`: the channel the interface sends. */
function deliveredAsOf(payload: CallbackPayload): string {
  const reported = payload.websms?.delivered_as;
  return typeof reported === 'string' && reported !== '' ? reported : 'sms';
}

/** ISO 8601 with an explicit offset, as websms writes it: 2024-10-15T18:33:02.000+00:00. */
function withOffset(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** The websms transferId of a message: the one it was accepted under, else its uuid without hyphens. */
export function transferIdOf(message: Pick<Message, 'uuid' | 'transfer_id'>): string {
  return message.transfer_id ?? message.uuid.replace(/-/g, '');
}

export function websmsReport(payload: CallbackPayload, message: Message): WebsmsDeliveryReport {
  const reached = payload.status === 'delivered' || payload.status === 'read';
  const report: WebsmsDeliveryReport = {
    messageType: 'deliveryReport',
    // 20 characters, one per report: the body is rendered once and stored, so every retry and
    // replay of the same report carries the same id.
    notificationId: createHash('sha256').update(`${payload.message_uuid}:${payload.status}:${payload.timestamp}`).digest('hex').slice(0, 20),
    transferId: transferIdOf(message),
    senderAddress: payload.from,
    recipientAddress: payload.to,
    deliveryReportMessageStatus: websmsReportStatus(payload.status, payload.error?.title),
    // When statusrelay accepted the message from the customer.
    sentOn: withOffset(message.created_at),
    deliveredOn: reached ? withOffset(Date.parse(payload.timestamp)) : null,
    deliveredAs: deliveredAsOf(payload),
  };
  if (payload.client_ref !== undefined) report.clientMessageId = payload.client_ref;
  return report;
}

/**
 * A websms receiver acknowledges with a 2xx whose body says `statusCode` 2000 (any key case) or
 * is empty. Any other 2xx is retried on the usual schedule, its code kept with the attempt;
 * non-2xx answers are judged as for every callback.
 */
export function judgeWebsmsAnswer(statusCode: number, body: string): AnswerJudgement {
  const byStatus = classifyHttpStatus(statusCode);
  if (byStatus !== 'delivered') return { verdict: byStatus };
  const text = body.trim();
  if (text === '') return { verdict: 'delivered' };
  const code = answerCode(text);
  if (code === 2000) return { verdict: 'delivered' };
  return {
    verdict: 'retry',
    error: code === undefined ? `HTTP ${statusCode} without a websms statusCode` : `websms statusCode ${code}`,
  };
}

/** statusCode from a JSON object (any key case), or from an XML <statusCode> element. */
function answerCode(text: string): number | undefined {
  if (text.startsWith('<')) {
    const match = /<statusCode>\s*(-?\d+)\s*<\/statusCode>/i.exec(text);
    return match ? Number(match[1]) : undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (key.toLowerCase() !== 'statuscode') continue;
    const code = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    return Number.isNaN(code) ? undefined : code;
  }
  return undefined;
}

export const websmsJsonFormat: BodyFormat = {
  render: (payload, message) => {
    if (!message) throw new Error('the websms report needs the message');
    return { body: JSON.stringify(websmsReport(payload, message)), contentType: 'application/json;charset=UTF-8' };
  },
  judgeAnswer: judgeWebsmsAnswer,
};

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: true });

/** The XML form: one element per field under <deliveryReport> (docs/websms-legacy.xsd). */
export const websmsXmlFormat: BodyFormat = {
  render: (payload, message) => {
    if (!message) throw new Error('the websms report needs the message');
    const { messageType: _type, ...fields } = websmsReport(payload, message);
    // deliveredOn is left out while not delivered (an element cannot say null).
    const element = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined));
    return { body: DECLARATION + builder.build({ deliveryReport: element }), contentType: 'application/xml;charset=UTF-8' };
  },
  judgeAnswer: judgeWebsmsAnswer,
};

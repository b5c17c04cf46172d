/**
 * websms as a provider, as data: what its send answers' `statusCode` and its delivery reports'
 * `deliveryReportMessageStatus` mean for a message.
 */
import type { Status } from '../../model/vocabulary.js';

/** A send answer: accepted, worth sending again later, or the message's end with a code. */
export type SendVerdict = { kind: 'accepted' } | { kind: 'retry' } | { kind: 'rejected' | 'undeliverable'; code: number };

const SEND_CODES: Readonly<Record<number, SendVerdict>> = Object.freeze({
  2000: { kind: 'accepted' },
  2001: { kind: 'accepted' }, // queued
  4001: { kind: 'undeliverable', code: 1331 }, // our credentials refused
  4002: { kind: 'rejected', code: 1170 }, // invalid recipient
  4003: { kind: 'rejected', code: 1020 }, // sender not allowed for the account
  4008: { kind: 'rejected', code: 1020 }, // invalid clientMessageId
  4009: { kind: 'rejected', code: 1020 }, // invalid text
  4013: { kind: 'retry' }, // message limit reached
  4014: { kind: 'undeliverable', code: 1331 }, // our IP is not allowed
  4016: { kind: 'undeliverable', code: 1331 }, // our notification URL refused: a setting of ours
  4019: { kind: 'rejected', code: 1020 }, // parameter missing
  4021: { kind: 'undeliverable', code: 1331 }, // invalid account
  4022: { kind: 'undeliverable', code: 1331 }, // access denied
  4023: { kind: 'retry' }, // request limit for this IP
  4026: { kind: 'rejected', code: 1020 }, // more SMS parts than allowed
  4029: { kind: 'rejected', code: 1250 }, // recipients not allowed
  4030: { kind: 'rejected', code: 1240 }, // recipient blacklisted
  4031: { kind: 'rejected', code: 1240 }, // all recipients blacklisted
  4035: { kind: 'undeliverable', code: 1331 }, // SMS disabled on the account
  4041: { kind: 'rejected', code: 1020 }, // invalid validity period
  5000: { kind: 'retry' }, // internal error
  5003: { kind: 'retry' }, // service unavailable
});

/** Codes not listed: 4xxx the provider's own refusal it did not explain, 5xxx worth trying again. */
export function sendVerdict(statusCode: number): SendVerdict {
  return SEND_CODES[statusCode] ?? (statusCode >= 5000 ? { kind: 'retry' } : { kind: 'rejected', code: 1331 });
}

/** What a delivery report status means: a status (with its error code), or none for progress only. */
export interface ReportMeaning {
  status?: Status;
  errorCode?: number;
}

export const REPORT_STATUSES: Readonly<Record<string, ReportMeaning>> = Object.freeze({
  accepted: { status: 'submitted' }, // taken by the carrier
  // Not delivered yet, the network retries: nothing final to tell (a delivered may still come).
  undelivered: {},
  delivered: { status: 'delivered' },
  expired: { status: 'rejected', errorCode: 1360 }, // no more retries
  deleted: { status: 'rejected', errorCode: 1330 },
  rejected: { status: 'rejected', errorCode: 1330 }, // refused by the carrier
});

/**
 * What SMPP answers mean for a message, as data (docs/statuses.md).
 *
 * Receipt states: the public Messages API maps accepted → submitted, buffered (ENROUTE) →
 * nothing, delivered → delivered, expired → rejected 1360, failed and rejected → rejected,
 * unknown → rejected 1330. DELETED (cancelled at the SMSC) and UNDELIV have no code of their
 * own there; 1330 (unknown permanent failure) is the honest one.
 */
import type { Status } from '../../model/vocabulary.js';
import type { ReceiptState } from './receipt.js';

export interface ReceiptMeaning {
  /** The part's final outcome; undefined for progress reports that change nothing. */
  outcome?: 'delivered' | 'rejected';
  /** Status to report for a progress state (ACCEPTD → submitted). */
  progress?: Status;
  errorCode?: number;
}

export const RECEIPT_MEANING: Readonly<Record<ReceiptState, ReceiptMeaning>> = Object.freeze({
  ENROUTE: {},
  ACCEPTD: { progress: 'submitted' },
  DELIVRD: { outcome: 'delivered' },
  EXPIRED: { outcome: 'rejected', errorCode: 1360 },
  DELETED: { outcome: 'rejected', errorCode: 1330 },
  UNDELIV: { outcome: 'rejected', errorCode: 1330 },
  UNKNOWN: { outcome: 'rejected', errorCode: 1330 },
  REJECTD: { outcome: 'rejected', errorCode: 1330 },
});

/** What to do with a submit_sm_resp: accept, slow down and resend, rebind and resend, or reject. */
export type SubmitVerdict = { kind: 'accepted' } | { kind: 'throttled' } | { kind: 'rebind' } | { kind: 'rejected'; errorCode: number };

/** command_status values (SMPP 3.4 section 5.1.3) that say something about the message. */
const SUBMIT_STATUS: Readonly<Record<number, SubmitVerdict>> = Object.freeze({
  0x0000: { kind: 'accepted' },
  0x0058: { kind: 'throttled' }, // ESME_RTHROTTLED
  0x0014: { kind: 'throttled' }, // ESME_RMSGQFUL
  0x0004: { kind: 'rebind' }, // ESME_RINVBNDSTS: the SMSC forgot our bind
  0x000b: { kind: 'rejected', errorCode: 1170 }, // ESME_RINVDSTADR
  0x0050: { kind: 'rejected', errorCode: 1170 }, // ESME_RINVDSTTON
  0x0051: { kind: 'rejected', errorCode: 1170 }, // ESME_RINVDSTNPI
  0x0001: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVMSGLEN
  0x000a: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVSRCADR
  0x0043: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVESMCLASS
  0x0048: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVSRCTON
  0x0049: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVSRCNPI
  0x0062: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVEXPIRY
  0x0104: { kind: 'rejected', errorCode: 1020 }, // ESME_RINVDCS
  0x0101: { kind: 'rejected', errorCode: 1250 }, // ESME_RPROHIBITED
  0x0066: { kind: 'rejected', errorCode: 1210 }, // ESME_RX_R_APPN: refused by the receiving side's rules
  0x00fe: { kind: 'rejected', errorCode: 1330 }, // ESME_RDELIVERYFAILURE
});

/** The catalogue code of a command_status that refuses a message, if the table knows it. */
export function refusalCode(commandStatus: number): number | undefined {
  const verdict = SUBMIT_STATUS[commandStatus];
  return verdict?.kind === 'rejected' ? verdict.errorCode : undefined;
}

/** Anything else the SMSC refuses with is its own error that it did not explain. */
export function submitVerdict(commandStatus: number): SubmitVerdict {
  return SUBMIT_STATUS[commandStatus] ?? { kind: 'rejected', errorCode: 1331 };
}

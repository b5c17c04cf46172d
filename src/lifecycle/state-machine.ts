/**
 * The per-message state machine: one provider report in, the recorded events out.
 *
 * Pure: the caller passes the clock (`now`) and stores the result; nothing here reads time or
 * writes anywhere. Rules (docs/statuses.md, "Rules"):
 * - a status the channel cannot report is refused (`invalid`);
 * - a status already in `message.seen` is a provider duplicate and is dropped (`duplicate`);
 * - a report below the current state, or after a terminal state, is kept for history but not
 *   forwarded (`late`); so is a failure after `delivered` (WhatsApp may report `failed` after a
 *   delivery, e.g. to another device of the user): the customer was told the message arrived, and
 *   statuses never go backwards;
 * - anything else moves the state forward (`changed`); a `read` without a `delivered` before it
 *   first records an implied `delivered`, because OTT providers skip it when the chat is open.
 */
import type { Message, ProviderReport, ReportDetails, StatusEvent } from '../model/types.js';
import { CHANNEL_TRAITS, STATE_RANK, isFailure, isSettled, isTerminal, type Status } from '../model/vocabulary.js';

export type ReportOutcome =
  | { kind: 'changed'; message: Message; events: StatusEvent[] }
  | { kind: 'late'; message: Message; events: StatusEvent[] }
  | { kind: 'duplicate' }
  | { kind: 'invalid'; reason: string };

export function applyReport(message: Message, report: ProviderReport, now: number): ReportOutcome {
  if (report.message_uuid !== message.uuid) {
    return { kind: 'invalid', reason: `report for message ${report.message_uuid} applied to message ${message.uuid}` };
  }
  const traits = CHANNEL_TRAITS[message.channel];
  if (!traits.statuses.includes(report.status)) {
    return { kind: 'invalid', reason: `status '${report.status}' cannot be reported on channel '${message.channel}'` };
  }
  if (message.seen.includes(report.status)) return { kind: 'duplicate' };

  const late =
    isTerminal(message.channel, message.state) ||
    STATE_RANK[report.status] < STATE_RANK[message.state] ||
    (isSettled(message.state) && isFailure(report.status));
  if (late) {
    const event = makeEvent(message, report, report.status, message.seen.length + 1, now, false, false);
    return { kind: 'late', message: advance(message, message.state, [report.status], now), events: [event] };
  }

  const statuses: Status[] =
    report.status === 'read' && !message.seen.includes('delivered') ? ['delivered', 'read'] : [report.status];
  const events = statuses.map((status, i) =>
    makeEvent(message, report, status, message.seen.length + 1 + i, now, true, status !== report.status),
  );
  return { kind: 'changed', message: advance(message, report.status, statuses, now), events };
}

function advance(message: Message, state: Message['state'], statuses: Status[], now: number): Message {
  return { ...message, state, seen: [...message.seen, ...statuses], updated_at: now };
}

function makeEvent(
  message: Message,
  report: ProviderReport,
  status: Status,
  seq: number,
  now: number,
  forwarded: boolean,
  implied: boolean,
): StatusEvent {
  return {
    message_uuid: message.uuid,
    seq,
    status,
    occurred_at: report.occurred_at,
    recorded_at: now,
    source: report.source,
    forwarded,
    implied,
    ...detailsFor(message, report, status),
  };
}

/**
 * The report's details that belong on an event of `status`. `usage` only on the channel's
 * billable status, so a message is charged once, wherever the provider attached the price;
 * `error` only on the failure statuses. Absent fields are left out, not set to undefined, so
 * stored and compared events have the same keys.
 */
function detailsFor(message: Message, report: ProviderReport, status: Status): ReportDetails {
  const details: ReportDetails = {};
  if (report.usage !== undefined && status === CHANNEL_TRAITS[message.channel].billableOn) details.usage = report.usage;
  if (report.error !== undefined && isFailure(status)) details.error = report.error;
  if (report.network_code !== undefined) details.network_code = report.network_code;
  if (report.sms !== undefined) details.sms = report.sms;
  if (report.whatsapp !== undefined) details.whatsapp = report.whatsapp;
  if (report.profile !== undefined) details.profile = report.profile;
  if (report.websms !== undefined) details.websms = report.websms;
  return details;
}

/**
 * Turns a batch of provider reports into store transitions: the state machine decides what is
 * recorded and failover which item starts next; where each forwarded status goes and its body
 * bytes come from the injected `CallbackPlanning` (routing and the format registry, wired in
 * relay.ts). Pure apart from the injected id source.
 */
import type { MessageContext, NewCallback, Transition } from '../store/store.js';
import type { CallbackPayload, Message, ProviderReport, ReportVerdict } from '../model/types.js';
import type { Status } from '../model/vocabulary.js';
import { destinationKey, type BodyFormatName, type Delivery } from '../model/destination.js';
import { applyReport } from './state-machine.js';
import { buildPayload } from './callback.js';
import { nextFailoverItem } from './failover.js';

export interface CallbackPlanning {
  /** Where a status change of `message` goes (routing). */
  route(message: Message, status: Status, account: MessageContext['account']): Delivery[];
  /**
   * The exact body bytes of a callback in a format (the format registry). Interface report
   * formats (websms) also read the message the payload was built from.
   */
  render(payload: CallbackPayload, format: BodyFormatName, message: Message): { body: string; contentType: string };
}

/** A claim on new callbacks for this process, written with them (see recorder.ts). */
export interface NewCallbackLease {
  token: string;
  until: number;
  /**
   * How many new callbacks to a destination the process can take now; the rest of a batch's are
   * written due, for a later claim. Absent: no limit.
   */
  roomFor?: (destinationKey: string) => number;
}

export interface PlannedBatch {
  transitions: Transition[];
  /** One verdict per report, in input order. */
  verdicts: Array<{ verdict: ReportVerdict; reason?: string }>;
}

export function planTransitions(
  reports: ProviderReport[],
  contexts: Map<string, MessageContext>,
  now: number,
  newId: () => string,
  planning: CallbackPlanning,
  lease?: NewCallbackLease,
): PlannedBatch {
  const byMessage = new Map<string, Transition>();
  const verdicts: PlannedBatch['verdicts'] = [];
  /** Per destination, how many more new callbacks may be written claimed in this batch. */
  const leaseRoom = new Map<string, number>();
  const mayLease = (key: string) => {
    if (!lease) return false;
    const room = leaseRoom.get(key) ?? lease.roomFor?.(key) ?? Infinity;
    leaseRoom.set(key, room - 1);
    return room > 0;
  };

  for (const report of reports) {
    const context = contexts.get(report.message_uuid);
    if (!context) {
      verdicts.push({ verdict: 'unknown', reason: `no message ${report.message_uuid}` });
      continue;
    }
    // Several reports for one message in a batch build on each other.
    const pending = byMessage.get(report.message_uuid);
    const current = pending?.message ?? context.message;
    const outcome = applyReport(current, report, now);
    if (outcome.kind === 'duplicate' || outcome.kind === 'invalid') {
      verdicts.push({ verdict: outcome.kind, reason: outcome.kind === 'invalid' ? outcome.reason : undefined });
      continue;
    }
    verdicts.push({ verdict: outcome.kind });
    const transition = pending ?? { message: current, events: [], callbacks: [], started: [] };
    transition.message = outcome.message;
    transition.events.push(...outcome.events);
    for (const event of outcome.events) {
      if (!event.forwarded) continue;
      for (const callback of callbacksFor(outcome.message, event, context, now, newId, planning)) {
        // Per message and destination, callbacks go out in status order: a later one waits.
        const busy = transition.callbacks.some((earlier) => earlier.destination_key === callback.destination_key);
        if (busy || context.open_lanes.includes(callback.destination_key)) callback.blocked = true;
        else if (mayLease(callback.destination_key)) callback.lease = lease;
        transition.callbacks.push(callback);
      }
    }
    // Only a change can reach `rejected`, and a rejected message changes no more: one start at most.
    const next = outcome.kind === 'changed' ? nextFailoverItem(outcome.message, newId(), now) : undefined;
    if (next) transition.started.push(next);
    byMessage.set(report.message_uuid, transition);
  }
  return { transitions: [...byMessage.values()], verdicts };
}

function callbacksFor(
  message: Message,
  event: Transition['events'][number],
  context: MessageContext,
  now: number,
  newId: () => string,
  planning: CallbackPlanning,
): NewCallback[] {
  const payload = buildPayload(message, event);
  return planning.route(message, event.status, context.account).map((delivery) => {
    const { body, contentType } = planning.render(payload, delivery.format, message);
    // Fields listed one by one: a spread followed by more properties makes V8 build a slow object.
    return {
      destination: delivery.destination,
      format: delivery.format,
      id: newId(),
      account_id: message.account_id,
      message_uuid: message.uuid,
      event_seq: event.seq,
      status: event.status,
      destination_key: destinationKey(delivery.destination),
      content_type: contentType,
      body,
      headline: { channel: message.channel, to: message.to, ...(message.origin_message_id ? { in_reply_to: message.origin_message_id } : {}) },
      created_at: now,
    };
  });
}

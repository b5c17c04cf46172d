/** How stored records look in API answers: ISO timestamps, no internal columns. */
import type { Message, StatusEvent } from '../../model/types.js';
import type { Attempt, Callback } from '../../store/store.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function presentMessage(message: Message, events: StatusEvent[]) {
  const forwarded = events.filter((event) => event.forwarded);
  const last = <K extends keyof StatusEvent>(key: K) => forwarded.findLast((event) => event[key] !== undefined)?.[key];
  return {
    message_uuid: message.uuid,
    channel: message.channel,
    message_type: message.message_type,
    to: message.to,
    from: message.from,
    client_ref: message.client_ref,
    interface: message.interface,
    receipt_request: message.receipt_request,
    ...(message.transfer_id !== undefined ? { transfer_id: message.transfer_id } : {}),
    status: message.state,
    created_at: iso(message.created_at),
    updated_at: iso(message.updated_at),
    expires_at: iso(message.expires_at),
    workflow: message.workflow,
    usage: last('usage'),
    error: last('error'),
    statuses: events.map((event) => ({
      status: event.status,
      timestamp: iso(event.occurred_at),
      recorded_at: iso(event.recorded_at),
      source: event.source,
      forwarded: event.forwarded,
      implied: event.implied,
      usage: event.usage,
      error: event.error,
      network_code: event.network_code,
      sms: event.sms,
    })),
  };
}

export function presentCallback(callback: Callback & { attempts_log: Attempt[] }) {
  return {
    id: callback.id,
    status: callback.status,
    destination: callback.destination,
    format: callback.format,
    state: callback.state,
    attempts: callback.attempts,
    created_at: iso(callback.created_at),
    next_retry_at: callback.state === 'pending' ? iso(callback.due_at) : undefined,
    delivered_at: iso(callback.delivered_at),
    last_error: callback.last_error,
    attempts_log: callback.attempts_log.map((attempt) => ({
      number: attempt.number,
      started_at: iso(attempt.started_at),
      latency_ms: attempt.duration_ms,
      status_code: attempt.status_code,
      error: attempt.error,
      outcome: attempt.outcome,
    })),
  };
}

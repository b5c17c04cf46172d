/**
 * The status callback body (docs/callbacks.md), in the shape of the public Messages API v1
 * status webhook. Keys are written in a fixed order, nested objects included, because the body
 * bytes are signed (payload_hash, webhook-signature) and must come out the same on every
 * attempt and every node, whatever key order the store handed back. Optional fields are left
 * out when absent, never sent as null.
 */
import type { CallbackPayload, Message, StatusEvent } from '../model/types.js';

export function buildPayload(message: Message, event: StatusEvent): CallbackPayload {
  if (event.message_uuid !== message.uuid) {
    throw new Error(`event of message ${event.message_uuid} paired with message ${message.uuid}`);
  }
  const payload: CallbackPayload = {
    message_uuid: message.uuid,
    to: message.to,
    from: message.from,
    timestamp: new Date(event.occurred_at).toISOString(),
    status: event.status,
    channel: message.channel,
  };
  if (message.client_ref !== undefined) payload.client_ref = message.client_ref;
  if (event.usage !== undefined) payload.usage = { currency: event.usage.currency, price: event.usage.price };
  if (event.network_code !== undefined) payload.destination = { network_code: event.network_code };
  if (event.error !== undefined) {
    const { type, title, detail, instance } = event.error;
    payload.error = { type, title, detail, instance };
  }
  if (message.workflow !== undefined) {
    const { workflow_id, items_number, items_total } = message.workflow;
    payload.workflow = { workflow_id, items_number, items_total };
  }
  if (event.sms !== undefined) {
    payload.sms = { count_total: event.sms.count_total };
    if (event.sms.segments !== undefined) payload.sms.segments = structuredClone(event.sms.segments);
  }
  // Free-form provider details: copied so the caller's objects are never shared with the body.
  if (event.whatsapp !== undefined) payload.whatsapp = structuredClone(event.whatsapp);
  if (event.profile !== undefined) payload.profile = structuredClone(event.profile);
  if (event.websms !== undefined) payload.websms = structuredClone(event.websms);
  return payload;
}

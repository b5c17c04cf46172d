/**
 * Multipart SMS: the message's fate from its parts' receipts (docs/statuses.md). Delivered
 * when every part is; rejected as soon as one part is finally refused (the text can no longer
 * arrive whole); rejected with 1490 when parts are still silent after the segment timeout.
 * `sms.segments` lists every part in order, pending ones included.
 */
import type { MessagePart } from '../../store/store.js';

export type Segment = Record<string, string>;

export type PartsVerdict =
  | { kind: 'pending' }
  | { kind: 'delivered'; segments: Segment[] }
  | { kind: 'rejected'; errorCode: number; errorDetail?: string; segments: Segment[] };

export const SEGMENT_TIMEOUT_CODE = 1490;

function segmentsOf(parts: Array<Pick<MessagePart, 'part' | 'provider_ref' | 'outcome' | 'error_code'>>, total: number): Segment[] {
  return Array.from({ length: total }, (_, i) => {
    const part = parts.find((p) => p.part === i + 1);
    const segment: Segment = { part: String(i + 1), status: part?.outcome ?? 'pending' };
    if (part?.provider_ref !== undefined) segment.message_id = part.provider_ref;
    if (part?.error_code !== undefined) segment.error_code = String(part.error_code);
    return segment;
  });
}

export function aggregateParts(
  parts: Array<Pick<MessagePart, 'part' | 'provider_ref' | 'outcome' | 'error_code' | 'error_detail'>>,
  total: number,
  timedOut: boolean,
): PartsVerdict {
  const refused = parts.filter((p) => p.outcome === 'rejected').sort((a, b) => a.part - b.part)[0];
  if (refused) {
    const detail = refused.error_detail === undefined ? {} : { errorDetail: refused.error_detail };
    return { kind: 'rejected', errorCode: refused.error_code ?? 1330, ...detail, segments: segmentsOf(parts, total) };
  }
  const delivered = new Set(parts.filter((p) => p.outcome === 'delivered').map((p) => p.part));
  if (delivered.size === total) return { kind: 'delivered', segments: segmentsOf(parts, total) };
  if (timedOut) return { kind: 'rejected', errorCode: SEGMENT_TIMEOUT_CODE, segments: segmentsOf(parts, total) };
  return { kind: 'pending' };
}

/**
 * Turns stored part outcomes into the message's status: after each part receipt, and when the
 * segment timeout of a message whose parts did not all report runs out (error 1490).
 */
import type { ConnectorDeps } from '../deps.js';
import { errorOf } from '../deps.js';
import type { MessagePart } from '../../store/store.js';
import type { ProviderReport } from '../../model/types.js';
import { aggregateParts } from './multipart.js';
import type { TimerHandle } from '../../model/clock.js';

export interface Settlement {
  /** Looks at the message's parts and reports its status once they decide it. */
  settle(uuid: string, occurredAt: number, timedOut?: boolean): Promise<void>;
  stop(): void;
}

export function createSettlement(segmentTimeoutMs: number, deps: ConnectorDeps): Settlement {
  const { clock } = deps;
  const timers = new Map<string, TimerHandle>();

  /** The segment timeout runs from the first part that reported (survives a restart: updated_at is stored). */
  function arm(uuid: string, parts: MessagePart[]): void {
    const reported = parts.filter((p) => p.outcome !== undefined).map((p) => p.updated_at);
    if (timers.has(uuid) || reported.length === 0) return;
    const wait = Math.max(0, Math.min(...reported) + segmentTimeoutMs - clock.now());
    const timer = clock.setTimeout(() => {
      timers.delete(uuid);
      settle(uuid, clock.now(), true).catch(deps.onError);
    }, wait);
    timers.set(uuid, timer);
  }

  async function settle(uuid: string, occurredAt: number, timedOut = false): Promise<void> {
    const parts = await deps.store.listMessageParts(uuid);
    if (parts.length === 0) return;
    const total = parts[0].total;
    const verdict = aggregateParts(parts, total, timedOut);
    if (verdict.kind === 'pending') return arm(uuid, parts);
    clock.clearTimeout(timers.get(uuid));
    timers.delete(uuid);
    const report: ProviderReport = {
      message_uuid: uuid,
      status: verdict.kind,
      occurred_at: occurredAt,
      source: 'smpp',
      sms: { count_total: String(total), ...(total > 1 ? { segments: verdict.segments } : {}) },
    };
    if (verdict.kind === 'rejected') report.error = errorOf(deps, verdict.errorCode, verdict.errorDetail);
    await deps.report(report);
  }

  return {
    settle,
    stop() {
      for (const timer of timers.values()) clock.clearTimeout(timer);
      timers.clear();
    },
  };
}

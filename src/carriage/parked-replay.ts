/**
 * Reports parked because their id was unknown, applied once the id becomes known: a receipt or
 * webhook that overtook a slow send answer by more than the hold time, or one for a message
 * another node sent. Two sides meet in the store, so neither order loses a report:
 * - the node that records an id (and the `submitted` that must come first) takes the reports
 *   parked for it (`known`, gathered per tick into one store call);
 * - the node that parks looks once more afterwards and takes them itself if the id is known by then.
 * Taking is atomic (the store marks them applied), so each is applied once; oldest first.
 */
import type { ConnectorDeps } from './deps.js';

export interface ReplayPlan {
  /** Whether reports for `ref` may be applied now: its message is stored and what must come first is recorded. */
  isKnown(ref: string): Promise<boolean>;
  /** Applies one parked payload, as it was parked. */
  apply(payload: string): Promise<void>;
  /** Other forms of `ref` a parked report may carry, compared unpadded and in lower case (SMPP ids). */
  refKeys?(ref: string): string[];
}

export interface ParkedReplay {
  /** `refs` are stored and their `submitted` recorded: applies what was parked for them. */
  known(refs: string[]): void;
  /** Parks a report for an id that is not known; applies it at once if it became known meanwhile. */
  park(ref: string, detail: string, payload: string): Promise<void>;
}

export function createParkedReplay(source: string, deps: ConnectorDeps, plan: ReplayPlan): ParkedReplay {
  let pending: string[] = [];

  async function take(refs: string[]): Promise<void> {
    const refKeys = plan.refKeys ? refs.flatMap((ref) => plan.refKeys!(ref)) : [];
    const reports = await deps.store.takeParkedReports({ source, refs, refKeys }, deps.clock.now());
    for (const report of reports) {
      deps.metrics.parkedApplied.inc({ source });
      deps.logger.info({ source, providerRef: report.provider_ref, parkedAt: report.received_at }, 'parked provider report applied');
      await plan.apply(report.payload);
    }
  }

  return {
    known(refs) {
      if (pending.length === 0) {
        setImmediate(() => {
          const batch = pending;
          pending = [];
          take(batch).catch(deps.onError);
        });
      }
      pending.push(...refs);
    },
    async park(ref, detail, payload) {
      await deps.refusals.park(source, 'unknown-id', detail, payload, ref);
      if (await plan.isKnown(ref)) await take([ref]);
    },
  };
}

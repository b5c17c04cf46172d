/**
 * The lifecycle's door to the store. Provider reports are queued and committed in groups: one
 * transaction per batch keeps SQLite and PostgreSQL fast under load, and each caller's promise
 * resolves only after its report is durably stored, so a connector acknowledges upstream only then.
 */
import type { ClaimedCallback, Store, Transition } from '../store/store.js';
import { handOff, type HandOffTarget } from '../dispatch/handoff.js';
import type { ProviderReport } from '../model/types.js';
import type { Metrics } from '../ops/metrics.js';
import { planTransitions, type ReportVerdict } from './transitions.js';
import { expiryReport } from './ttl.js';
import { makeError } from '../model/errors.js';

const MAX_BATCH = 512;

export interface RecorderDeps {
  store: Store;
  now: () => number;
  newId: () => string;
  errorTypeBase: string;
  metrics: Metrics;
  /** Called after each commit, e.g. to wake dispatch and start failover items. */
  onCommitted: (transitions: Transition[]) => void;
  /** This process's dispatcher, which takes new callbacks straight from the commit. */
  dispatcher?: HandOffTarget & { adopt(callbacks: ClaimedCallback[]): void; release(destinationKeys: string[]): void };
}

export interface RecordResult {
  verdict: ReportVerdict;
  reason?: string;
}

interface Queued {
  report: ProviderReport;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

export function createStatusRecorder(deps: RecorderDeps) {
  const queue: Queued[] = [];
  let flushing: Promise<void> | undefined;

  async function commit(batch: Queued[]): Promise<void> {
    const reports = batch.map((item) => item.report);
    const uuids = [...new Set(reports.map((report) => report.message_uuid))];
    const now = deps.now();
    let verdicts: Array<{ verdict: ReportVerdict; reason?: string }> = [];
    let adopted: ClaimedCallback[] = [];
    const { dispatcher } = deps;
    try {
      const transitions = await deps.store.transition(uuids, (contexts) => {
        const planned = planTransitions(reports, contexts, now, deps.newId);
        verdicts = planned.verdicts;
        if (dispatcher) adopted = handOff(planned.transitions, contexts, dispatcher, deps.newId(), now);
        return planned.transitions;
      });
      dispatcher?.adopt(adopted);
      batch.forEach((item, i) => {
        deps.metrics.statusEvents.inc({ verdict: verdicts[i].verdict });
        item.resolve(verdicts[i]);
      });
      deps.onCommitted(transitions);
    } catch (error) {
      dispatcher?.release(adopted.map((callback) => callback.destination_key));
      for (const item of batch) item.reject(error);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await commit(queue.splice(0, MAX_BATCH));
    flushing = undefined;
  }

  return {
    /** Stores one provider report; resolves once it is committed. */
    record(report: ProviderReport): Promise<RecordResult> {
      return new Promise((resolve, reject) => {
        queue.push({ report, resolve, reject });
        // Reports arriving in the same tick share one transaction.
        flushing ??= new Promise((done) => setImmediate(done)).then(drain);
      });
    },

    /** Rejects every unsettled message whose TTL ran out (error 1360). */
    async expireDue(): Promise<number> {
      const now = deps.now();
      const expired = await deps.store.listExpired(now, MAX_BATCH);
      const reports = expired.flatMap((message) => {
        const report = expiryReport(message, now, makeError(1360, deps.errorTypeBase, deps.newId()));
        return report ? [report] : [];
      });
      await Promise.all(reports.map((report) => this.record(report)));
      return reports.length;
    },

    /** Resolves when everything queued so far is committed. */
    async idle(): Promise<void> {
      while (flushing) await flushing;
    },
  };
}

export type StatusRecorder = ReturnType<typeof createStatusRecorder>;

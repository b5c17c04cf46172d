/**
 * The lifecycle's door to the store. Provider reports are queued and committed in groups: one
 * transaction per batch keeps SQLite and PostgreSQL fast under load, and each caller's promise
 * resolves only after its report is durably stored, so a connector acknowledges upstream only then.
 * Every commit is announced once, to `onCommitted`; what happens next (sending the new callbacks,
 * starting failover items) is wired in relay.ts.
 */
import type { MessageContext, Store, Transition } from '../store/store.js';
import type { ProviderReport, RecordResult } from '../model/types.js';
import type { Metrics } from '../ops/metrics.js';
import { makeError } from '../model/errors.js';
import { planTransitions, type CallbackPlanning, type NewCallbackLease } from './transitions.js';
import { expiryReport } from './ttl.js';

const MAX_BATCH = 512;

/** One committed batch: the transitions written, with the contexts they were decided on. */
export interface CommittedBatch {
  transitions: Transition[];
  contexts: Map<string, MessageContext>;
  /** The claim the batch's ready callbacks were written with, when `leaseNewCallbacksMs` is set. */
  lease?: NewCallbackLease;
}

export interface RecorderDeps {
  store: Store;
  now: () => number;
  newId: () => string;
  errorTypeBase: string;
  metrics: Metrics;
  planning: CallbackPlanning;
  /**
   * New callbacks that need not wait for an earlier one are written already claimed by this
   * process for this long, so whoever hears the commit can send them without a claim round trip
   * (and must hand back what it cannot take). Absent: they are written due, for the claim loop.
   */
  leaseNewCallbacksMs?: number;
  /** How many new callbacks to a destination the hearer can take now: only so many are written claimed. */
  leaseRoomFor?: (destinationKey: string) => number;
  /** Hears every commit, after it is durable. */
  onCommitted: (batch: CommittedBatch) => void;
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
    const lease = deps.leaseNewCallbacksMs === undefined ? undefined : { token: deps.newId(), until: now + deps.leaseNewCallbacksMs, roomFor: deps.leaseRoomFor };
    let verdicts: RecordResult[] = [];
    let decidedOn = new Map<string, MessageContext>();
    try {
      const transitions = await deps.store.transition(uuids, (contexts) => {
        const planned = planTransitions(reports, contexts, now, deps.newId, deps.planning, lease);
        verdicts = planned.verdicts;
        decidedOn = contexts;
        return planned.transitions;
      });
      batch.forEach((item, i) => {
        deps.metrics.statusEvents.inc({ verdict: verdicts[i].verdict });
        item.resolve(verdicts[i]);
      });
      deps.onCommitted({ transitions, contexts: decidedOn, lease });
    } catch (error) {
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

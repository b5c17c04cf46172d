/**
 * Hands SMS parts to the SMSC: a queue in front of a window of unacknowledged submit_sm.
 * Throttling answers (ESME_RTHROTTLED, ESME_RMSGQFUL) put the part back and pause the queue,
 * doubling the pause while they last; a dropped link puts the in-flight parts back; a refusal
 * rejects the message with the matching code; a message that cannot be handed over within the
 * patience (SMSC down) becomes undeliverable.
 *
 * Every accepted part's SMSC id is stored as soon as it arrives. The ids are announced to
 * waiting early receipts only after `submitted` was recorded, so a receipt that overtook its
 * submit_sm_resp is still recorded after `submitted`, in status order.
 */
import type { Message } from '../../model/types.js';
import type { SmppConfig } from './options.js';
import type { ConnectorDeps } from '../deps.js';
import { failureReport } from '../deps.js';
import type { EarlyReports } from '../early-reports.js';
import type { ParkedReplay } from '../parked-replay.js';
import { LinkDownError, type SmppLink } from './link.js';
import { concatHeader, encodeSms } from './gsm.js';
import { submitVerdict } from './states.js';
import type { PartWriter } from './part-writer.js';
import type { TimerHandle } from '../../model/clock.js';

interface Job {
  uuid: string;
  seq: number;
  params: Record<string, unknown>;
}

interface Submission {
  message: Message;
  total: number;
  refs: Map<number, string>;
  /** Parts not yet accepted. */
  waiting: Set<number>;
  enqueuedAt: number;
  patience: TimerHandle;
}

const MAX_THROTTLE_DOUBLINGS = 5;

/** The same message always gets the same concatenation reference, so resent parts still fit. */
function concatReference(uuid: string): number {
  let h = 0;
  for (let i = 0; i < uuid.length; i++) h = (h * 31 + uuid.charCodeAt(i)) & 0xff;
  return h;
}

/** Alphanumeric senders are TON 5 / NPI 0, numbers international TON 1 / NPI 1 (ISDN). */
function sourceAddress(config: SmppConfig, from: string) {
  const numeric = /^\+?\d+$/.test(from);
  return {
    source_addr_ton: config.sourceTon ?? (numeric ? 1 : 5),
    source_addr_npi: config.sourceNpi ?? (numeric ? 1 : 0),
    source_addr: from.replace(/^\+/, ''),
  };
}

export function createSubmitter(
  config: SmppConfig,
  link: SmppLink,
  deps: ConnectorDeps,
  early: EarlyReports,
  savePart: PartWriter,
  replay: ParkedReplay,
) {
  const { clock } = deps;
  const queue: Job[] = [];
  const open = new Map<string, Submission>();
  let inFlight = 0;
  let throttledUntil = 0;
  let throttleStreak = 0;
  let pumpTimer: TimerHandle | undefined;
  let stopped = false;

  function partParams(message: Message): Array<Record<string, unknown>> {
    const encoded = encodeSms(message.text ?? '');
    const total = encoded.parts.length;
    const reference = concatReference(message.uuid);
    return encoded.parts.map((payload, i) => ({
      ...sourceAddress(config, message.from),
      dest_addr_ton: config.destTon,
      dest_addr_npi: config.destNpi,
      destination_addr: message.to,
      // 0x40 = UDHI: the payload starts with a user data header (the concatenation element).
      esm_class: total > 1 ? 0x40 : 0,
      registered_delivery: config.registeredDelivery,
      data_coding: encoded.dataCoding,
      short_message: total > 1 ? Buffer.concat([concatHeader(reference, total, i + 1), payload]) : payload,
      ...(message.expires_at !== undefined ? { validity_period: new Date(message.expires_at) } : {}),
    }));
  }

  /** Queues the parts of `message` not yet accepted (all of them, unless `known` has ids). */
  function enqueue(message: Message, known: Map<number, string> = new Map()): void {
    let params: Array<Record<string, unknown>>;
    try {
      params = partParams(message);
    } catch {
      // More than 255 parts: intake limits the text, so only a changed limit gets here.
      deps.report(failureReport(deps, 'smpp', message.uuid, 'rejected', 1020)).catch(deps.onError);
      return;
    }
    const waiting = new Set(params.map((_, i) => i + 1).filter((seq) => !known.has(seq)));
    const submission: Submission = {
      message,
      total: params.length,
      refs: new Map(known),
      waiting,
      enqueuedAt: clock.now(),
      patience: clock.setTimeout(() => checkPatience(message.uuid), config.patienceMs),
    };
    open.set(message.uuid, submission);
    for (const seq of waiting) queue.push({ uuid: message.uuid, seq, params: params[seq - 1] });
    pump();
  }

  /** Patience only runs out while the SMSC is unreachable; a bound but busy link keeps trying. */
  function checkPatience(uuid: string): void {
    const submission = open.get(uuid);
    if (!submission) return;
    if (link.isBound()) {
      submission.patience = clock.setTimeout(() => checkPatience(uuid), config.patienceMs);
      return;
    }
    deps.metrics.providerSubmits.inc({ source: 'smpp', outcome: 'undeliverable' });
    finish(submission, failureReport(deps, 'smpp', uuid, 'undeliverable', 1331));
  }

  function pump(): void {
    if (stopped || !link.isBound()) return;
    const pause = throttledUntil - clock.now();
    if (pause > 0) {
      clock.clearTimeout(pumpTimer);
      pumpTimer = clock.setTimeout(pump, pause);
      return;
    }
    while (inFlight < config.window && queue.length > 0) {
      const job = queue.shift() as Job;
      if (!open.has(job.uuid)) continue; // rejected or given up meanwhile
      inFlight += 1;
      let linkDown = false;
      link
        .submit(job.params)
        .then(
          (answer) => answered(job, answer.command_status, answer.message_id),
          (error) => {
            if (!(error instanceof LinkDownError)) throw error;
            queue.unshift(job);
            linkDown = true;
          },
        )
        .catch(deps.onError)
        .finally(() => {
          inFlight -= 1;
          // After a drop the next bind pumps (onBound); pumping now could only be refused again.
          if (!linkDown) pump();
        });
    }
  }

  async function answered(job: Job, status: number, messageId: unknown): Promise<void> {
    const submission = open.get(job.uuid);
    const verdict = submitVerdict(status);
    deps.metrics.providerSubmits.inc({ source: 'smpp', outcome: verdict.kind });
    if (verdict.kind === 'throttled') {
      queue.unshift(job);
      throttleStreak = Math.min(throttleStreak + 1, MAX_THROTTLE_DOUBLINGS);
      throttledUntil = clock.now() + config.throttleMs * 2 ** (throttleStreak - 1);
      return;
    }
    if (verdict.kind === 'rebind') {
      queue.unshift(job);
      link.reset('SMSC answered ESME_RINVBNDSTS');
      return;
    }
    throttleStreak = 0;
    if (!submission) return;
    if (verdict.kind === 'rejected') {
      return finish(submission, failureReport(deps, 'smpp', job.uuid, 'rejected', verdict.errorCode));
    }
    const ref = String(messageId ?? '');
    // A receipt that finds the stored part now still waits for `submitted` (finish announces).
    early.expect(ref);
    submission.refs.set(job.seq, ref);
    submission.waiting.delete(job.seq);
    const { total } = submission;
    await savePart({ message_uuid: job.uuid, part: job.seq, total, provider_ref: ref, updated_at: clock.now() });
    if (submission.waiting.size > 0) return;
    await deps.store.setProviderRef(job.uuid, submission.refs.get(1) as string);
    finish(submission, { message_uuid: job.uuid, status: 'submitted', occurred_at: clock.now(), source: 'smpp', sms: { count_total: String(total) } });
  }

  /** Ends the submission with its report; early receipts waiting for its ids go on afterwards. */
  function finish(submission: Submission, report: Parameters<ConnectorDeps['report']>[0]): void {
    clock.clearTimeout(submission.patience);
    open.delete(submission.message.uuid);
    deps
      .report(report)
      .catch(deps.onError)
      .finally(() => {
        const refs = [...submission.refs.values()];
        for (const ref of refs) early.announce(ref);
        // Receipts that waited longer than the hold were parked: their turn comes now.
        if (refs.length > 0) replay.known(refs);
      });
  }

  return {
    enqueue,
    pump,
    /** Parts waiting or unanswered (for tests and the benchmark). */
    backlog: () => queue.length + inFlight,
    stop() {
      stopped = true;
      clock.clearTimeout(pumpTimer);
      for (const submission of open.values()) clock.clearTimeout(submission.patience);
      open.clear();
      queue.length = 0;
    },
  };
}

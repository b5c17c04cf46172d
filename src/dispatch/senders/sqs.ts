/**
 * Delivers callbacks to Amazon SQS queues. Never throws.
 *
 * Dispatch starts every callback it claims in the same tick, so sends to one queue that arrive
 * together are gathered into SendMessageBatch calls of up to 10 (one request instead of ten),
 * and the answer is handed back entry by entry: a batch may succeed for some callbacks and fail
 * for others. FIFO queues (`.fifo`) get MessageGroupId = message_uuid, so one message's status
 * changes stay in order while different messages do not wait on each other, and
 * MessageDeduplicationId = the callback id, so SQS drops a retry that already got through.
 */
import { performance } from 'node:perf_hooks';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SqsConfig } from './options.js';
import type { ClaimedCallback } from '../../store/store.js';
import type { Sender, SendOutcome } from '../sender.js';
import { classifySqsFailure } from '../retry-policy.js';
import { SHARED_IDENTITY_REFUSED, mayUseSharedIdentity, queueHostProblem, type SqsCredentials } from '../../model/destination.js';
import { createSqsClients } from './sqs-clients.js';

export interface SqsSenderOptions {
  sqs: SqsConfig;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** The credentials an account gave for a queue (the store's findSqsCredentials), read for every batch. */
  credentialsOf: (accountId: string, queueUrl: string) => Promise<SqsCredentials | undefined>;
}

/** SendMessageBatch takes at most 10 entries; 256 KiB in total keeps within every SQS limit. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

interface Waiting {
  callback: ClaimedCallback;
  started: number;
  resolve: (outcome: SendOutcome) => void;
}

export function createSqsSender(options: SqsSenderOptions): Sender {
  const clients = createSqsClients(options);
  /**
   * Callbacks gathered per account and queue URL until the end of the tick or a full batch: one
   * batch is signed with one account's credentials.
   */
  const gathering = new Map<string, { accountId: string; queueUrl: string; entries: Waiting[]; bytes: number }>();

  function send(callback: ClaimedCallback): Promise<SendOutcome> {
    if (callback.destination.type !== 'sqs') {
      return Promise.resolve({ verdict: 'failed', error: `not an SQS destination: ${callback.destination.type}`, durationMs: 0 });
    }
    const queueUrl = callback.destination.queue_url;
    // Rows stored before the API checked the host: never sign a request for a foreign host.
    const hostProblem = queueHostProblem(queueUrl, options.sqs.endpoint);
    if (hostProblem) return Promise.resolve({ verdict: 'failed', error: `queue host not allowed: queue_url ${hostProblem}`, durationMs: 0 });
    const accountId = callback.account_id;
    const key = `${accountId} ${queueUrl}`;
    return new Promise((resolve) => {
      const bytes = Buffer.byteLength(callback.body);
      let batch = gathering.get(key);
      if (batch && batch.bytes + bytes > MAX_BATCH_BYTES) flush(key);
      batch = gathering.get(key);
      if (!batch) {
        batch = { accountId, queueUrl, entries: [], bytes: 0 };
        gathering.set(key, batch);
        setImmediate(() => flush(key));
      }
      batch.entries.push({ callback, started: performance.now(), resolve });
      batch.bytes += bytes;
      if (batch.entries.length === MAX_ENTRIES) flush(key);
    });
  }

  function flush(key: string): void {
    const batch = gathering.get(key);
    if (!batch) return;
    gathering.delete(key);
    void sendBatch(batch.accountId, batch.queueUrl, batch.entries);
  }

  async function sendBatch(accountId: string, queueUrl: string, waiting: Waiting[]): Promise<void> {
    const fifo = queueUrl.endsWith('.fifo');
    const done = (item: Waiting, outcome: Omit<SendOutcome, 'durationMs'>) =>
      item.resolve({ ...outcome, durationMs: Math.round(performance.now() - item.started) });
    try {
      const credentials = await options.credentialsOf(accountId, queueUrl);
      // Rows stored before credentials were required, or an allowlist since narrowed.
      if (!credentials && !mayUseSharedIdentity(options.sqs.sharedIdentityAccounts, accountId)) {
        for (const item of waiting) done(item, { verdict: 'failed', error: `no credentials for this queue: ${SHARED_IDENTITY_REFUSED}` });
        return;
      }
      const entries = waiting.map((item, i) => entryFor(item.callback, `e${i}`, fifo));
      const region = regionOf(queueUrl) ?? options.sqs.region;
      const answer = await clients.use({ accountId, credentials, region }, (client) =>
        client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
      );
      const failed = new Map((answer.Failed ?? []).map((entry) => [entry.Id, entry]));
      const succeeded = new Set((answer.Successful ?? []).map((entry) => entry.Id));
      waiting.forEach((item, i) => {
        const failure = failed.get(`e${i}`);
        if (failure) {
          const verdict = classifySqsFailure({ name: failure.Code, senderFault: failure.SenderFault });
          return done(item, { verdict, error: `SQS ${failure.Code}: ${failure.Message ?? ''}`.trim() });
        }
        // Neither listed: the service did not say, so the callback is sent again (FIFO dedups it).
        if (!succeeded.has(`e${i}`)) return done(item, { verdict: 'retry', error: 'SQS gave no result for this entry' });
        done(item, { verdict: 'delivered' });
      });
    } catch (err) {
      const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
      const httpStatus = e.$metadata?.httpStatusCode;
      const verdict = classifySqsFailure({ name: e.name, httpStatus, errorCode: e.code });
      const error = `SQS ${e.name ?? 'error'}: ${e.message ?? String(err)}`.slice(0, 300);
      for (const item of waiting) done(item, { verdict, error, ...(httpStatus ? { statusCode: httpStatus } : {}) });
    }
  }

  return {
    send,
    async close() {
      for (const key of [...gathering.keys()]) flush(key);
      clients.close();
    },
  };
}

/**
 * One batch entry: the body as sent, and attributes a consumer can filter on without parsing it.
 * SQS refuses empty attribute values, so a row without a headline channel has no `channel`.
 */
function entryFor(callback: ClaimedCallback, id: string, fifo: boolean): SendMessageBatchRequestEntry {
  const channel = callback.headline?.channel;
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    Id: id,
    MessageBody: callback.body,
    MessageAttributes: {
      status: attribute(callback.status),
      ...(channel ? { channel: attribute(channel) } : {}),
      message_uuid: attribute(callback.message_uuid),
    },
    ...(fifo ? { MessageGroupId: callback.message_uuid, MessageDeduplicationId: callback.id } : {}),
  };
}

/** The region an AWS queue URL names (`sqs.<region>.amazonaws.com` or the legacy `<region>.queue.amazonaws.com`). */
export function regionOf(queueUrl: string): string | undefined {
  const host = new URL(queueUrl).hostname;
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}

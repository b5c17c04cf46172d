/**
 * Callbacks per second to the SQS and e-mail destinations, end to end on one node: provider
 * report → lifecycle → store → outbox → sender → peer. The peers (fauxqs for SQS, smtp-server
 * counting mails without parsing them) run in this process, on 127.0.0.1, so they compete with
 * the relay for the CPU: the numbers are a floor, not the peers' limit.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { validateForwardingRules } from '../../src/model/forwarding-rules.js';
import { startSqsPeer, type SqsPeer } from '../../test/helpers/sqs.js';
import { startSmtpPeer } from '../../test/helpers/smtp.js';
import { benchConfig, waitUntil } from '../lib.js';
import { benchMessage } from './http-callbacks.js';

export interface ForwardingScenarioOptions {
  /** Status changes per destination (one callback each). */
  messages: number;
  /** Reports in flight at once, like a provider connection's window. */
  window?: number;
  /** A folder for the scenario's SQLite files. */
  dataDir: string;
  /** Extra relay settings (DESTINATION_CONCURRENCY, SMTP_POOL_SIZE, ...). */
  env?: Record<string, string>;
}

interface Measured {
  callbacks: number;
  all_delivered: boolean;
  seconds: number;
  callbacks_per_second: number;
}

export async function runForwardingScenarios(options: ForwardingScenarioOptions): Promise<object> {
  const sqs = await startSqsPeer();
  const smtp = await startSmtpPeer({ countOnly: true });
  try {
    const standardUrl = await sqs.createQueue('bench-status');
    const fifoUrl = await sqs.createQueue('bench-status.fifo');
    const sqsEnv = { ...sqs.env(), ...options.env };
    return {
      peers_in_process: true,
      sqs_standard: await measure(options, 'sqs-standard', sqsEnv, { type: 'sqs', queue_url: standardUrl, format: 'json' }, () => queueDepth(sqs, standardUrl)),
      sqs_fifo: await measure(options, 'sqs-fifo', sqsEnv, { type: 'sqs', queue_url: fifoUrl, format: 'json' }, () => queueDepth(sqs, fifoUrl)),
      email: await measure(
        options,
        'email',
        { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'bench@relay.example', ...options.env },
        { type: 'email', address: 'receipts@customer.example', format: 'json' },
        async () => smtp.count(),
      ),
    };
  } finally {
    await sqs.close();
    await smtp.close();
  }
}

/** One relay, one destination: every message reports `submitted`, timed until the peer holds them all. */
async function measure(
  options: ForwardingScenarioOptions,
  name: string,
  env: Record<string, string>,
  destination: object,
  arrived: () => Promise<number>,
): Promise<Measured> {
  // The bench account's queue goes without credentials of its own: the emulator takes any.
  const config = benchConfig(`file:${path.join(options.dataDir, `${name}.db`)}`, { SQS_SHARED_IDENTITY_ACCOUNTS: '*', ...env });
  const relay = await createRelay(config);
  await relay.start();
  try {
    const account = await createAccount(relay.store, 'bench', Date.now());
    const rules = validateForwardingRules({ sms: { suite: destination } }, undefined, { ...(config.sqs.endpoint ? { sqsEndpoint: config.sqs.endpoint } : {}) });
    if (!rules.ok) throw new Error(`bench rules invalid: ${JSON.stringify(rules.invalid)}`);
    await relay.store.updateAccount(account.account_id, { forwarding: rules.value });
    const messages = Array.from({ length: options.messages }, () => benchMessage(account.account_id, undefined, Date.now(), { interface: 'suite' }));
    for (let i = 0; i < messages.length; i += 1_000) await relay.store.insertMessages(messages.slice(i, i + 1_000));

    const base = await arrived();
    const window = options.window ?? 1_000;
    const started = performance.now();
    for (let i = 0; i < messages.length; i += window) {
      await Promise.all(
        messages.slice(i, i + window).map((m) => relay.recorder.record({ message_uuid: m.uuid, status: 'submitted', occurred_at: Date.now(), source: 'bench' })),
      );
    }
    const allDelivered = await waitUntil(async () => (await arrived()) - base >= messages.length, 300_000);
    const seconds = (performance.now() - started) / 1000;
    return {
      callbacks: messages.length,
      all_delivered: allDelivered,
      seconds: Math.round(seconds * 100) / 100,
      callbacks_per_second: Math.round(messages.length / seconds),
    };
  } finally {
    await relay.stop();
  }
}

async function queueDepth(peer: SqsPeer, queueUrl: string): Promise<number> {
  const answer = await peer.client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/**
 * SMS over SMPP end to end on one node: messages handed to carriage → submit_sm to a stand-in
 * SMSC on 127.0.0.1 → submit_sm_resp and a DELIVRD receipt → lifecycle → store → signed
 * `submitted` and `delivered` callbacks at the receiver. Reported: receipts per second that
 * came out as `delivered` callbacks, from the first submit to the last callback.
 *
 * The SMSC runs in this process (it shares the CPU with the relay, as the simulator does).
 */
import { performance } from 'node:perf_hooks';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { deliveredReceipt, startSmsc } from '../../test/helpers/smsc.js';
import { benchConfig, waitUntil } from '../lib.js';
import { benchMessage } from './http-callbacks.js';

export interface SmppScenarioOptions {
  /** The callback receiver (bench/lib.ts's ReceiverProcess fits). */
  receiver: { url: string; count(): Promise<number> };
  databaseUrl: string;
  messages: number;
  /** Unacknowledged submit_sm at once (SMSC_WINDOW). */
  window?: number;
  env?: Record<string, string>;
}

export async function runSmppScenario(options: SmppScenarioOptions): Promise<object> {
  const smsc = await startSmsc({ receipt: deliveredReceipt });
  const config = benchConfig(options.databaseUrl, { SMSC_URL: smsc.url, SMSC_WINDOW: String(options.window ?? 100), ...options.env });
  const relay = await createRelay(config);
  try {
    await relay.start();
    await waitUntil(async () => smsc.binds > 0, 10_000);
    const account = await createAccount(relay.store, 'bench-smpp', Date.now());
    const messages = Array.from({ length: options.messages }, () => benchMessage(account.account_id, options.receiver.url, Date.now()));
    for (let i = 0; i < messages.length; i += 1_000) await relay.store.insertMessages(messages.slice(i, i + 1_000));

    const base = await options.receiver.count();
    const expected = messages.length * 2; // submitted + delivered
    const started = performance.now();
    for (const message of messages) relay.carriage.submit(message);
    const complete = await waitUntil(async () => (await options.receiver.count()) - base >= expected, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      messages: messages.length,
      all_delivered: complete,
      seconds: round(seconds),
      receipts_per_second: round(messages.length / seconds),
      callbacks_per_second: round(expected / seconds),
      submits_at_smsc: smsc.submits.length,
      binds: smsc.binds,
    };
  } finally {
    await relay.stop();
    await smsc.close();
  }
}

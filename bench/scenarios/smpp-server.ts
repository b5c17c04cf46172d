/**
 * What an SMPP customer sees: an ESME (the smpp package) bound as a transceiver submits through
 * statusrelay's SMPP server (the simulator is the provider) and gets its receipts as deliver_sm
 * on the same session. Reported: submits per second (first submit to last submit_sm_resp),
 * receipts per second (first submit to last receipt) and submit-to-receipt latency (p50/p99,
 * from sending the submit_sm to the receipt's arrival). One final receipt per message
 * (registered_delivery 1). The ESME runs in this process, as the stand-in SMSC does.
 */
import { performance } from 'node:perf_hooks';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { encodeSms } from '../../src/model/gsm.js';
import { connectEsme } from '../../test/helpers/esme.js';
import { benchConfig, percentile, round, waitUntil } from '../lib.js';

export interface SmppServerScenarioOptions {
  databaseUrl: string;
  messages: number;
  /** Unacknowledged submit_sm the ESME keeps in flight. */
  window?: number;
  env?: Record<string, string>;
}

export async function runSmppServerScenario(options: SmppServerScenarioOptions): Promise<{ submits_per_second: number; receipts_per_second: number; [key: string]: unknown }> {
  const config = benchConfig(options.databaseUrl, { SIMULATOR_TIME_SCALE: '0.001', SMPP_SERVER_WINDOW: '100', ...options.env });
  const relay = await createRelay(config);
  await relay.start();
  const address = await relay.smppServer.listenOn(0);
  const account = await createAccount(relay.store, 'bench-smpp-server', Date.now());
  const credential = (await relay.store.findSmppCredential(account.smpp_system_id))!;
  await relay.store.saveSmppCredential({ ...credential, submit_rate: 1_000_000 });
  const esme = await connectEsme(address);
  try {
    const bound = await esme.bind('transceiver', account.smpp_system_id, account.smpp_password);
    if (bound.command_status !== 0) throw new Error(`bind failed: ${bound.command_status}`);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let lastReceiptAt = 0;
    esme.session.on('deliver_sm', (pdu) => {
      const at = performance.now();
      const id = pdu.receipted_message_id as string;
      const sent = sentAt.get(id);
      if (sent !== undefined) latencies.push(at - sent);
      lastReceiptAt = at;
    });
    const window = options.window ?? 100;
    const started = performance.now();
    let next = 0;
    let refused = 0;
    const worker = async () => {
      while (next < options.messages) {
        const i = next++;
        const at = performance.now();
        const answer = await esme.submit({
          destination_addr: `4366${String(i).padStart(9, '0')}`,
          registered_delivery: 1,
          data_coding: 0,
          short_message: encodeSms(`bench ${i}`).parts[0],
        });
        if (answer.command_status === 0) sentAt.set(answer.message_id, at);
        else refused += 1;
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    const submitSeconds = (performance.now() - started) / 1000;
    const complete = await waitUntil(async () => latencies.length >= sentAt.size, 300_000);
    const receiptSeconds = (lastReceiptAt - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      messages: options.messages,
      refused,
      all_receipts: complete,
      submits_per_second: round(sentAt.size / submitSeconds),
      receipts_per_second: round(latencies.length / receiptSeconds),
      latency_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
      simulator_time_scale: Number(config.simulator.timeScale),
    };
  } finally {
    esme.session.destroy();
    await relay.stop();
  }
}

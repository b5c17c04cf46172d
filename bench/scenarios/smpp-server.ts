/**
 * What an SMPP customer sees: an ESME bound as a transceiver (bench/esme-client.ts, a process of
 * its own) submits through statusrelay's SMPP server (the simulator is the provider) and gets its
 * receipts as deliver_sm on the same session. Reported: submits per second (first submit to last
 * submit_sm_resp), receipts per second (first submit to last receipt), submit-to-receipt latency
 * (p50/p99, from sending the submit_sm to the receipt's arrival) and the service's CPU per
 * message (this process alone). One final receipt per message (registered_delivery 1).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { benchConfig, round } from '../lib.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'esme-client.js');

export interface SmppServerScenarioOptions {
  databaseUrl: string;
  messages: number;
  /** Unacknowledged submit_sm the ESME keeps in flight. */
  window?: number;
  env?: Record<string, string>;
}

interface EsmeReport {
  submitted: number;
  refused: number;
  all_receipts: boolean;
  submit_seconds: number;
  receipt_seconds: number;
  receipts: number;
  latency_ms: { p50: number; p99: number };
}

export async function runSmppServerScenario(options: SmppServerScenarioOptions): Promise<{ submits_per_second: number; receipts_per_second: number; [key: string]: unknown }> {
  const config = benchConfig(options.databaseUrl, { SIMULATOR_TIME_SCALE: '0.001', SMPP_SERVER_WINDOW: '100', ...options.env });
  const relay = await createRelay(config);
  await relay.start();
  const address = await relay.smppServer.listenOn(0);
  const account = await createAccount(relay.store, 'bench-smpp-server', Date.now());
  const credential = (await relay.store.findSmppCredential(account.smpp_system_id))!;
  await relay.store.saveSmppCredential({ ...credential, submit_rate: 1_000_000 });
  const client = fork(CLIENT, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const cpuBefore = process.cpuUsage();
    client.send({ address, systemId: account.smpp_system_id, password: account.smpp_password, messages: options.messages, window: options.window ?? 100 });
    const esme = await new Promise<EsmeReport>((resolve) => client.once('message', resolve as never));
    const cpu = process.cpuUsage(cpuBefore);
    return {
      messages: options.messages,
      refused: esme.refused,
      all_receipts: esme.all_receipts,
      submits_per_second: round(esme.submitted / esme.submit_seconds),
      receipts_per_second: round(esme.receipts / esme.receipt_seconds),
      latency_ms: esme.latency_ms,
      service_cpu_us_per_message: round((cpu.user + cpu.system) / esme.submitted),
      simulator_time_scale: Number(config.simulator.timeScale),
    };
  } finally {
    client.kill();
    await relay.stop();
  }
}

/**
 * The whole path through a customer interface, as a new user runs it: 50 keep-alive clients in
 * a process of their own POST SMS to /v1/messages (or, with `via: 'websms'`, to the websms
 * interface's /rest/smsmessaging/text); the simulator (SIMULATOR_TIME_SCALE=0.01) reports
 * submitted and delivered; the callbacks (websms: delivery reports, acknowledged with statusCode
 * 2000 by the receiver's /websms path) go to the receiver process. Reports accepted messages/s,
 * callbacks/s end to end and the service's CPU per message (this process alone).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { benchConfig, round, waitUntil, wallClock, type ReceiverProcess } from '../lib.js';
import type { CustomerInterface } from '../api-client.js';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'api-client.js');

export interface ApiScenarioOptions {
  receiver: ReceiverProcess;
  databaseUrl: string;
  messages: number;
  connections: number;
  /** Default: the REST API. */
  via?: CustomerInterface;
  env?: Record<string, string>;
}

export async function runApiEndToEnd(options: ApiScenarioOptions) {
  const config = benchConfig(options.databaseUrl, { SIMULATOR_TIME_SCALE: '0.01', ...options.env });
  const relay = await createRelay(config);
  const baseUrl = await relay.start();
  const account = await createAccount(relay.store, 'bench', Date.now());
  const auth = 'Basic ' + Buffer.from(`${account.api_key}:${account.api_secret}`).toString('base64');
  const base = await options.receiver.count();
  const client = fork(CLIENT, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const cpuBefore = process.cpuUsage();
  const started = wallClock();
  const via = options.via ?? 'rest_api';
  const webhookUrl = via === 'websms' ? options.receiver.websmsUrl : options.receiver.url;
  client.send({ via, baseUrl, auth, webhookUrl, messages: options.messages, connections: options.connections });
  const sent = await new Promise<{ accepted: number; refused: number; seconds: number }>((resolve) => client.once('message', resolve as never));
  // Every accepted SMS owes two callbacks: submitted and delivered (the simulator's usual path).
  const expected = sent.accepted * 2;
  const arrived = await waitUntil(async () => (await options.receiver.count()) - base >= expected * 0.95, 180_000);
  const seconds = (wallClock() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const callbacks = (await options.receiver.count()) - base;
  await relay.stop();
  client.kill();
  return {
    via,
    messages: options.messages,
    connections: options.connections,
    refused: sent.refused,
    messages_accepted_per_second: round(sent.accepted / sent.seconds),
    callbacks_arrived: callbacks,
    reached_95_percent: arrived,
    callbacks_per_second_end_to_end: round(callbacks / seconds),
    service_cpu_us_per_message: round((cpu.user + cpu.system) / sent.accepted),
  };
}

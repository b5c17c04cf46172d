/**
 * The websms path against the Messages API path, in the same run and the same way: N sends over
 * HTTP (64 at a time), each followed by a provider report recorded as a connector does, until
 * the N callbacks have arrived at the receiver process. Messages API: POST /v1/messages with a
 * webhook_url → the status webhook. websms: POST /rest/smsmessaging/text with a
 * notificationCallbackUrl → the websms delivery report, acknowledged with {"statusCode":2000}
 * (the receiver answers so on its /websms path, and the relay reads that answer).
 */
import path from 'node:path';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { benchConfig, round, waitUntil, wallClock, type ReceiverProcess } from '../lib.js';

export interface WebsmsScenarioOptions {
  receiver: ReceiverProcess;
  dataDir: string;
  messages: number;
  concurrency: number;
  env?: Record<string, string>;
}

type Path = 'messages_api' | 'websms';

async function runPath(which: Path, options: WebsmsScenarioOptions, label: string = which) {
  // The simulator stays silent: the bench records the reports itself.
  const config = benchConfig(`file:${path.join(options.dataDir, `${label}.db`)}`, { SIMULATOR_TIME_SCALE: '1000', ...options.env });
  const relay = await createRelay(config);
  const baseUrl = await relay.start();
  const account = await createAccount(relay.store, 'bench', Date.now());
  const auth = 'Basic ' + Buffer.from(`${account.api_key}:${account.api_secret}`).toString('base64');

  async function send(i: number): Promise<string> {
    const to = String(436640000000 + i);
    if (which === 'messages_api') {
      const response = await fetch(`${baseUrl}/v1/messages`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'sms', message_type: 'text', to, from: 'ACME', text: 'Your code is 123456', webhook_url: options.receiver.url }),
      });
      return ((await response.json()) as { message_uuid: string }).message_uuid;
    }
    const response = await fetch(`${baseUrl}/rest/smsmessaging/text`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify({ recipientAddressList: [to], messageContent: 'Your code is 123456', senderAddress: 'ACME', notificationCallbackUrl: options.receiver.websmsUrl }),
    });
    const answer = (await response.json()) as { statusCode: number; transferId: string };
    if (answer.statusCode !== 2000) throw new Error(`websms answered ${JSON.stringify(answer)}`);
    const t = answer.transferId;
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
  }

  const base = await options.receiver.count();
  const started = wallClock();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.messages) {
        const i = next++;
        const uuid = await send(i);
        await relay.recorder.record({ message_uuid: uuid, status: 'submitted', occurred_at: Date.now(), source: 'bench' });
      }
    }),
  );
  const all = await waitUntil(async () => (await options.receiver.count()) - base >= options.messages, 120_000);
  const seconds = (wallClock() - started) / 1000;
  await relay.stop();
  return { messages: options.messages, all_arrived: all, reports_per_second: round(options.messages / seconds) };
}

export async function runWebsmsScenario(options: WebsmsScenarioOptions) {
  // Warm-up of both paths (JIT, connections), then the measured runs.
  await runPath('messages_api', { ...options, messages: Math.min(500, options.messages) }, 'warm-up');
  const api = await runPath('messages_api', options);
  const websms = await runPath('websms', options);
  return { messages_api: api, websms, ratio_websms_to_messages_api: round(websms.reports_per_second / api.reports_per_second, 2) };
}

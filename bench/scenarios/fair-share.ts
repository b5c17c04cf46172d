/**
 * Fair share between accounts: one account sends `floodMessages` messages to `silentHosts`
 * hosts that accept connections and never answer (the issue's 1,190 to 17 hosts); another
 * account's time from POST to its first callback is measured before and during the flood.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createRelay } from '../../src/relay.js';
import { createAccount } from '../../src/intake/accounts.js';
import { benchConfig, percentile, round } from '../lib.js';

export interface FairShareOptions {
  dataDir: string;
  silentHosts?: number;
  floodMessages?: number;
  samples?: number;
  env?: Record<string, string>;
}

export async function runFairShareScenario(options: FairShareOptions): Promise<object> {
  const sockets = new Set<net.Socket>();
  const silent = await Promise.all(
    Array.from({ length: options.silentHosts ?? 17 }, async () => {
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/never` };
    }),
  );
  const arrived = new Map<string, number>();
  const receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const uuid = (JSON.parse(body) as { message_uuid?: string }).message_uuid;
      if (uuid && !arrived.has(uuid)) arrived.set(uuid, Date.now());
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/cb`;

  const config = benchConfig(`file:${path.join(options.dataDir, 'fair-share.db')}`, options.env);
  const relay = await createRelay(config);
  const baseUrl = await relay.start();
  try {
    const flooder = await createAccount(relay.store, 'flooder', Date.now());
    const quiet = await createAccount(relay.store, 'quiet', Date.now());
    const post = async (credentials: { api_key: string; api_secret: string }, webhookUrl: string) => {
      const answer = await fetch(`${baseUrl}/v1/messages`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.api_key}:${credentials.api_secret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ channel: 'sms', message_type: 'text', to: '436641234567', from: 'ACME', text: 'Hi', webhook_url: webhookUrl }),
      });
      return ((await answer.json()) as { message_uuid: string }).message_uuid;
    };
    const firstCallback = async () => {
      const started = Date.now();
      const uuid = await post(quiet, receiverUrl);
      const deadline = started + 60_000;
      while (!arrived.has(uuid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      return (arrived.get(uuid) ?? deadline) - started;
    };
    const measure = async () => {
      const times: number[] = [];
      for (let i = 0; i < (options.samples ?? 15); i++) times.push(await firstCallback());
      times.sort((a, b) => a - b);
      return { median_ms: percentile(times, 50), p90_ms: percentile(times, 90), max_ms: times[times.length - 1] };
    };

    const baseline = await measure();
    const flood = options.floodMessages ?? 1_190;
    for (let i = 0; i < flood; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, flood - i) }, (_, j) => post(flooder, silent[(i + j) % silent.length]!.url)));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const during = await measure();
    return {
      silent_hosts: silent.length,
      flood_messages: flood,
      flood_connections_open: sockets.size,
      quiet_account_first_callback_before: baseline,
      quiet_account_first_callback_during_flood: during,
      ratio_of_medians: round(during.median_ms / Math.max(1, baseline.median_ms), 2),
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await relay.stop();
    await Promise.all(silent.map(({ server }) => new Promise((resolve) => server.close(resolve))));
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

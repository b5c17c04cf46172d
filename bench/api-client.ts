/**
 * The benchmark's API customer, a child process of its own: `connections` keep-alive clients
 * POST SMS to /v1/messages until `messages` are accepted, then it reports accepted/s by IPC.
 */
import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';

interface Order {
  baseUrl: string;
  auth: string;
  webhookUrl: string;
  messages: number;
  connections: number;
}

process.once('message', async (order: Order) => {
  const pool = new Pool(order.baseUrl, { connections: order.connections, pipelining: 1 });
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: order.connections }, async () => {
      while (next < order.messages) {
        const i = next++;
        const body = JSON.stringify({ channel: 'sms', message_type: 'text', to: String(436640000000 + i), from: 'ACME', text: 'Your code is 123456', webhook_url: order.webhookUrl });
        const answer = await pool.request({ method: 'POST', path: '/v1/messages', headers: { authorization: order.auth, 'content-type': 'application/json' }, body });
        await answer.body.dump();
        if (answer.statusCode !== 202) refused++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  process.send!({ accepted: order.messages - refused, refused, seconds });
});

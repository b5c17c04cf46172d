/** The baseline: plain HTTP POSTs of a callback-sized JSON body, same client settings as dispatch. */
import { Agent, request } from 'undici';
import { wallClock, round } from '../lib.js';

export async function runPlainPosts(url: string, total: number, concurrency: number) {
  const agent = new Agent({ connections: concurrency, connect: { timeout: 3_000 }, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const body = JSON.stringify({
    message_uuid: '00000000-0000-4000-8000-000000000000', to: '436641234567', from: 'ACME', timestamp: new Date().toISOString(),
    status: 'submitted', channel: 'sms', usage: { currency: 'EUR', price: '0.0333' }, destination: { network_code: '23201' },
  });
  let next = 0;
  const started = wallClock();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const response = await request(url, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/json' } });
        await response.body.dump();
      }
    }),
  );
  const seconds = (wallClock() - started) / 1000;
  await agent.close();
  return { posts: total, per_second: round(total / seconds) };
}

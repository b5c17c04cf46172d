/**
 * The benchmark's API customer, a child process of its own: `connections` keep-alive clients
 * POST SMS until `messages` are accepted, then it reports accepted/s by IPC. Through the REST
 * API (`POST /v1/messages`, accepted with 202) or the websms interface
 * (`POST /rest/smsmessaging/text`, accepted with statusCode 2000).
 */
import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';

export type CustomerInterface = 'rest_api' | 'websms';

interface Order {
  via: CustomerInterface;
  baseUrl: string;
  auth: string;
  webhookUrl: string;
  messages: number;
  connections: number;
}

/** The request that sends SMS number `i`, and whether its answer means accepted. */
function sendSms(order: Order, i: number) {
  const to = String(436640000000 + i);
  if (order.via === 'websms') {
    return {
      path: '/rest/smsmessaging/text',
      contentType: 'application/json;charset=UTF-8',
      body: JSON.stringify({ recipientAddressList: [to], messageContent: 'Your code is 123456', senderAddress: 'ACME', notificationCallbackUrl: order.webhookUrl }),
      accepted: (status: number, body: string) => status === 200 && (JSON.parse(body) as { statusCode: number }).statusCode === 2000,
    };
  }
  return {
    path: '/v1/messages',
    contentType: 'application/json',
    body: JSON.stringify({ channel: 'sms', message_type: 'text', to, from: 'ACME', text: 'Your code is 123456', webhook_url: order.webhookUrl }),
    accepted: (status: number) => status === 202,
  };
}

process.once('message', async (order: Order) => {
  const pool = new Pool(order.baseUrl, { connections: order.connections, pipelining: 1 });
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: order.connections }, async () => {
      while (next < order.messages) {
        const request = sendSms(order, next++);
        const answer = await pool.request({
          method: 'POST',
          path: request.path,
          headers: { authorization: order.auth, 'content-type': request.contentType },
          body: request.body,
        });
        if (!request.accepted(answer.statusCode, await answer.body.text())) refused++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  process.send!({ accepted: order.messages - refused, refused, seconds });
});

/**
 * The benchmark's callback receiver, run as a child process so it has its own core. It answers
 * 200 to every POST and records when each callback arrived, every item of a batch (a JSON array)
 * on its own; the parent asks for the log and the counts by IPC.
 * BENCH_RECEIVER_PORT picks the port (default: any free one). With BENCH_RECEIVER_ORDER=1 it
 * keeps no log (a backlog of a million would not fit in one IPC message) and instead checks the
 * status order per message: a `delivered` that arrives before its message's `submitted` is a
 * violation (the backlog scenario's messages have `submitted`, or `submitted` then `delivered`).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';

const checkOrder = process.env.BENCH_RECEIVER_ORDER === '1';
/** [message_uuid/status, arrival time] per callback. */
const arrivals: Array<[string, number]> = [];
/** Callbacks received (batch items counted one by one), and the POSTs that carried them. */
let count = 0;
let posts = 0;

interface Item {
  message_uuid: string;
  status: string;
}

/** Order mode: messages whose `submitted` arrived and whose `delivered` has not. */
const submitted = new Set<string>();
const delivered = new Set<string>();
const order = { violations: 0, duplicates: 0, first_at: 0, last_at: 0 };

function checkArrival(uuid: string, status: string, at: number): void {
  order.first_at ||= at;
  order.last_at = at;
  if (delivered.has(uuid)) {
    order.duplicates++; // at least once: a repeat after the message's last status
  } else if (status === 'submitted') {
    if (submitted.has(uuid)) order.duplicates++;
    submitted.add(uuid);
  } else if (submitted.delete(uuid)) {
    delivered.add(uuid);
  } else {
    order.violations++;
  }
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    posts++;
    // Every body is parsed, baseline POSTs too, so both sides of the ratio pay the same.
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Item | Item[];
    const at = performance.timeOrigin + performance.now();
    for (const item of Array.isArray(body) ? body : [body]) {
      count++;
      if (checkOrder) checkArrival(item.message_uuid, item.status, at);
      else arrivals.push([`${item.message_uuid}/${item.status}`, at]);
    }
    // The websms scenario's receiver acknowledges the websms way (the relay reads this answer).
    if (request.url?.startsWith('/websms')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"statusCode":2000,"statusMessage":"OK"}');
      return;
    }
    response.writeHead(200, { 'content-length': '0' });
    response.end();
  });
});
server.keepAliveTimeout = 30_000;

server.listen(Number(process.env.BENCH_RECEIVER_PORT ?? 0), '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'count') process.send!({ type: 'count', count });
  if (message.type === 'posts') process.send!({ type: 'posts', posts });
  if (message.type === 'order') process.send!({ type: 'order', order: { ...order, count } });
  if (message.type === 'arrivals') {
    process.send!({ type: 'arrivals', arrivals: arrivals.splice(0) });
  }
  if (message.type === 'stop') server.close(() => process.exit(0));
});

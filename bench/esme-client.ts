/**
 * The benchmark's SMPP customer, a child process of its own (so the relay's CPU is measured
 * alone): an ESME (the smpp package) binds as a transceiver to statusrelay's SMPP server, keeps
 * `window` submit_sm in flight until `messages` are sent, and takes its receipts as deliver_sm on
 * the same session. It reports by IPC: submits and receipts, their timings and the
 * submit-to-receipt latencies.
 */
import { performance } from 'node:perf_hooks';
import { encodeSms } from '../src/model/gsm.js';
import { connectEsme } from '../test/helpers/esme.js';
import { percentile, round, waitUntil } from './lib.js';

interface Order {
  address: string;
  systemId: string;
  password: string;
  messages: number;
  window: number;
}

process.once('message', async (order: Order) => {
  const esme = await connectEsme(order.address);
  const bound = await esme.bind('transceiver', order.systemId, order.password);
  if (bound.command_status !== 0) throw new Error(`bind failed: ${bound.command_status}`);
  const sentAt = new Map<string, number>();
  // A receipt can be handled before the submit_sm_resp's await resumes (both PDUs in one read),
  // so receipts are kept by id and matched with their submits at the end.
  const receiptAt = new Map<string, number>();
  let lastReceiptAt = 0;
  esme.session.on('deliver_sm', (pdu) => {
    lastReceiptAt = performance.now();
    receiptAt.set(pdu.receipted_message_id as string, lastReceiptAt);
  });
  const started = performance.now();
  let next = 0;
  let refused = 0;
  const worker = async () => {
    while (next < order.messages) {
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
  await Promise.all(Array.from({ length: order.window }, worker));
  const submitSeconds = (performance.now() - started) / 1000;
  const receiptsFor = () => [...sentAt.keys()].filter((id) => receiptAt.has(id)).length;
  const complete = await waitUntil(async () => receiptAt.size >= sentAt.size && receiptsFor() === sentAt.size, 300_000);
  const latencies = [...sentAt].filter(([id]) => receiptAt.has(id)).map(([id, at]) => receiptAt.get(id)! - at).sort((a, b) => a - b);
  process.send!({
    submitted: sentAt.size,
    refused,
    all_receipts: complete,
    submit_seconds: submitSeconds,
    receipt_seconds: (lastReceiptAt - started) / 1000,
    receipts: latencies.length,
    latency_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
  });
  esme.session.destroy();
});

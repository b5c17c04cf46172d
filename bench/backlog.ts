/**
 * `node dist/bench/backlog.js`: the backlog scenario in a process of its own, so the RSS it
 * samples is this relay's alone (`npm run bench` runs it so, as `backlog`). BENCH_BACKLOG sets
 * the size (default 1,000,000 callbacks); BENCH_ONE_NODE_RATE the one-node callbacks/s the
 * drain rate is compared with (npm run bench passes its sqlite_1_node rate).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReceiverProcess } from './lib.js';
import { runBacklogScenario } from './scenarios/backlog.js';

const receiver = await startReceiverProcess();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-backlog-'));
try {
  const result = await runBacklogScenario({
    receiver,
    dataDir,
    backlog: Number(process.env.BENCH_BACKLOG ?? 1_000_000),
    oneNodeRate: Number(process.env.BENCH_ONE_NODE_RATE ?? NaN),
  });
  if (process.send) await new Promise((resolve) => process.send!({ type: 'result', result }, resolve));
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await receiver.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

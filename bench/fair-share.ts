/** `node dist/bench/fair-share.js`: the fair-share scenario alone (`npm run bench` runs it as `fair_share`). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFairShareScenario } from './scenarios/fair-share.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statusrelay-fair-'));
try {
  process.stdout.write(`${JSON.stringify(await runFairShareScenario({ dataDir }), null, 2)}\n`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

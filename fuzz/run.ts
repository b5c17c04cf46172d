/**
 * `npm run fuzz`: every target with FUZZ_RUNS cases (default 100,000) from FUZZ_SEED (default:
 * random, printed so a run can be repeated); FUZZ_TARGETS (comma-separated parts of names) picks
 * some. Prints one JSON report per target and exits non-zero if any case failed.
 */
import { failed, runTarget, type TargetReport } from './harness.js';
import { TARGETS } from './targets.js';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const only = (process.env.FUZZ_TARGETS ?? '').split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) throw new Error('FUZZ_RUNS must be a positive integer and FUZZ_SEED an integer');

// A rejection nobody awaited is a crash of whatever target is running.
let unhandled = 0;
process.on('unhandledRejection', (reason) => {
  unhandled++;
  process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
});

const reports: TargetReport[] = [];
for (const target of TARGETS.filter((t) => only.length === 0 || only.some((part) => t.name.toLowerCase().includes(part)))) {
  const before = unhandled;
  const report = await runTarget(target, { runs, seed });
  report.crashes += unhandled - before;
  reports.push(report);
  process.stdout.write(JSON.stringify(report) + '\n');
}
const bad = reports.filter(failed);
process.stdout.write(JSON.stringify({ seed, runs, targets: reports.length, failed: bad.map((report) => report.target) }) + '\n');
process.exitCode = bad.length > 0 ? 1 : 0;

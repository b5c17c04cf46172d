/**
 * The fuzzing harness: runs one target's property over generated inputs and counts what went
 * wrong instead of stopping at the first failure, so a run reports every kind of failure it saw.
 * A target is a generator and a check of one case; the check says what the case did.
 */
import fc from 'fast-check';

/** What one case did wrong, if anything; an empty object is a case that behaved. */
export interface CaseOutcome {
  /** The HTTP answer was a 5xx (or the interface's own internal-error code). */
  serverError?: boolean;
  /** Something threw (or answered) other than the target's documented refusal: what. */
  crash?: string;
  /** A refused input changed the store. */
  refusedChangedStore?: boolean;
}

export interface FuzzSession<T> {
  arbitrary: fc.Arbitrary<T>;
  check(input: T): Promise<CaseOutcome> | CaseOutcome;
  close(): Promise<void>;
}

export interface FuzzTarget<T = unknown> {
  name: string;
  /** Starts what the target needs (a relay on a fresh SQLite file, say). */
  start(): Promise<FuzzSession<T>>;
}

export interface TargetReport {
  target: string;
  cases: number;
  server_errors: number;
  crashes: number;
  refused_inputs_that_changed_the_store: number;
  seconds: number;
  /** The first few failing inputs, for reproducing them. */
  examples: Array<{ problem: string; input: string }>;
}

export interface RunOptions {
  runs: number;
  seed: number;
}

const MAX_EXAMPLES = 3;

export function failed(report: TargetReport): boolean {
  return report.server_errors + report.crashes + report.refused_inputs_that_changed_the_store > 0;
}

export async function runTarget<T>(target: FuzzTarget<T>, options: RunOptions): Promise<TargetReport> {
  const report: TargetReport = { target: target.name, cases: 0, server_errors: 0, crashes: 0, refused_inputs_that_changed_the_store: 0, seconds: 0, examples: [] };
  const started = performance.now();
  const session = await target.start();
  const note = (problem: string, input: T) => {
    if (report.examples.length < MAX_EXAMPLES) report.examples.push({ problem, input: fc.stringify(input).slice(0, 600) });
  };
  try {
    const property = fc.asyncProperty(session.arbitrary, async (input) => {
      report.cases++;
      let outcome: CaseOutcome;
      try {
        outcome = await session.check(input);
      } catch (error) {
        outcome = { crash: describe(error) };
      }
      if (outcome.serverError) {
        report.server_errors++;
        note('5xx answer', input);
      }
      if (outcome.crash !== undefined) {
        report.crashes++;
        note(`crash: ${outcome.crash}`, input);
      }
      if (outcome.refusedChangedStore) {
        report.refused_inputs_that_changed_the_store++;
        note('refused, yet the store changed', input);
      }
      // Every case runs: the counts are the result, not the first failure.
      return true;
    });
    await fc.assert(property, { numRuns: options.runs, seed: options.seed });
  } finally {
    await session.close();
  }
  report.seconds = Math.round((performance.now() - started) / 100) / 10;
  return report;
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

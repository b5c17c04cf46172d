/**
 * The fuzzing targets of `npm run fuzz` (fuzz/), each with a fixed seed and a couple of thousand
 * cases: no 5xx, no crash, no store changed by a refused input. The harness itself is checked
 * first: each kind of failure is counted, so these tests can fail.
 */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { failed, runTarget, type FuzzTarget } from '../fuzz/harness.js';
import { checkRequest, problemJsonAnswer, isClientError, startFuzzRelay } from '../fuzz/relay.js';
import { TARGETS } from '../fuzz/targets.js';
import { emailTarget } from '../fuzz/targets/pure.js';

const SEED = 20261202;
const RUNS = 2000;
/** Each case parses a whole e-mail: fewer cases keep the file within its minute. */
const RUNS_OF = new Map<FuzzTarget<any>, number>([[emailTarget, 800]]);

describe('the fuzzing harness counts every kind of failure', () => {
  it('a refused request that changed the store, a 5xx and a 4xx that is not problem+json', async () => {
    const fuzz = await startFuzzRelay();
    try {
      const answer = (statusCode: number, type = 'application/problem+json') => ({ statusCode, headers: { 'content-type': type }, body: '{}' });
      const changed = await checkRequest(
        fuzz,
        async () => {
          await fuzz.relay.store.updateAccount(fuzz.credentials.account_id, { status_url: 'https://example.com/changed' });
          return answer(422);
        },
        isClientError,
        problemJsonAnswer,
      );
      assert.deepEqual(changed, { refusedChangedStore: true });
      assert.deepEqual(await checkRequest(fuzz, async () => answer(500), isClientError, problemJsonAnswer), { serverError: true });
      assert.match((await checkRequest(fuzz, async () => answer(400, 'text/plain'), isClientError, problemJsonAnswer)).crash ?? '', /400 answered as text\/plain/);
      assert.deepEqual(await checkRequest(fuzz, async () => answer(422), isClientError, problemJsonAnswer), {});
    } finally {
      await fuzz.close();
    }
  });

  it('every case runs, throws are crashes, and the first inputs are kept as examples', async () => {
    const planted: FuzzTarget<number> = {
      name: 'planted',
      start: async () => ({
        arbitrary: fc.integer({ min: 0, max: 9 }),
        check: (n) => {
          if (n === 0) throw new TypeError('planted');
          return n === 1 ? { serverError: true } : {};
        },
        close: async () => {},
      }),
    };
    const report = await runTarget(planted, { runs: 300, seed: SEED });
    assert.equal(report.cases, 300);
    assert.ok(report.crashes > 0 && report.server_errors > 0, JSON.stringify(report));
    assert.equal(report.refused_inputs_that_changed_the_store, 0);
    assert.ok(failed(report));
    assert.match(report.examples.map((example) => example.problem).join('\n'), /crash: TypeError: planted/);
  });
});

describe(`fuzzing targets (seed ${SEED})`, () => {
  for (const target of TARGETS) {
    const runs = RUNS_OF.get(target) ?? RUNS;
    it(`${target.name}: ${runs} cases without a 5xx, a crash or a refused input that changed the store`, async () => {
      const report = await runTarget(target, { runs, seed: SEED });
      assert.equal(report.cases, runs);
      assert.ok(!failed(report), JSON.stringify(report, null, 2));
    });
  }
});

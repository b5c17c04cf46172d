/**
 * The SMPP submitter against a stand-in link: what it does when the link refuses a submit
 * because the connection is going down.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSubmitter } from '../src/carriage/smpp/submitter.js';
import { LinkDownError, type SmppLink } from '../src/carriage/smpp/link.js';
import type { SmppConfig } from '../src/config.js';
import type { ConnectorDeps } from '../src/carriage/deps.js';
import type { EarlyReports } from '../src/carriage/early-reports.js';
import type { PartWriter } from '../src/carriage/smpp/part-writer.js';
import type { ParkedReplay } from '../src/carriage/parked-replay.js';
import type { Message } from '../src/model/types.js';
import { systemClock } from '../src/model/clock.js';

test('a submit refused with LinkDownError waits for the next bind instead of being resubmitted at once', async () => {
  // A link that still says "bound" while its socket is already unwritable (the 'close' event not
  // run yet) refuses every submit synchronously. Resubmitting at once from the refusal would spin
  // in microtasks and starve the event loop, so the 'close' could never run. The stand-in gives
  // up saying "bound" after 1000 refusals, so the old behaviour fails here instead of hanging.
  let refusals = 0;
  let bound = true;
  const link: SmppLink = {
    start() {},
    async stop() {},
    isBound: () => bound,
    submit() {
      if (++refusals >= 1000) bound = false;
      return Promise.reject(new LinkDownError());
    },
    reset() {},
  };
  const config = { window: 4, patienceMs: 60_000, throttleMs: 50, destTon: 1, destNpi: 1, registeredDelivery: 1 } as SmppConfig;
  const deps = { clock: systemClock, onError: (error: unknown) => assert.fail(String(error)) } as unknown as ConnectorDeps;
  const submitter = createSubmitter(config, link, deps, {} as EarlyReports, (async () => {}) as PartWriter, {} as ParkedReplay);
  const message = { uuid: 'm-1', to: '436641234567', from: 'ACME', text: 'Hello' } as Message;
  submitter.enqueue(message);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(refusals, 1, 'refused once, then left for the next bind');
  assert.equal(submitter.backlog(), 1, 'the part is still queued');
  // The next bind pumps again.
  submitter.pump();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(refusals, 2);
  submitter.stop();
});

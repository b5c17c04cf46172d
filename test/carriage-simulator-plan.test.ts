/** The simulator's plans: deterministic per seed and message, and realistic in their mix. */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { planReports } from '../src/carriage/simulator/plan.js';
import { CHANNEL_TRAITS, type Channel } from '../src/model/vocabulary.js';
import { storedMessage } from './helpers/fixtures.js';

test('the same seed and message give the same plan; another seed may not', () => {
  const m = storedMessage({ uuid: randomUUID(), channel: 'whatsapp' });
  assert.deepEqual(planReports(m, 1), planReports(m, 1));
  const differs = Array.from({ length: 50 }, () => storedMessage({ uuid: randomUUID() })).some(
    (each) => JSON.stringify(planReports(each, 1)) !== JSON.stringify(planReports(each, 2)),
  );
  assert.ok(differs);
});

const CHANNELS: Channel[] = ['sms', 'mms', 'rcs', 'whatsapp', 'viber_service', 'messenger'];
for (const channel of CHANNELS) {
  test(`${channel}: only statuses the channel can report, in time order, usage on the billable status`, () => {
    const plans = Array.from({ length: 400 }, () => planReports(storedMessage({ uuid: randomUUID(), channel }), 7));
    const statuses = new Set(plans.flat().map((step) => step.status));
    for (const status of statuses) assert.ok(CHANNEL_TRAITS[channel].statuses.includes(status), status);
    for (const plan of plans) {
      assert.deepEqual(plan.map((step) => step.afterMs), [...plan.map((step) => step.afterMs)].sort((a, b) => a - b));
      for (const step of plan) {
        if (step.details.usage) assert.equal(step.status, CHANNEL_TRAITS[channel].billableOn);
        if (step.status === 'rejected' || step.status === 'undeliverable') assert.ok(step.errorCode, 'failures carry a code');
      }
    }
    const delivered = plans.filter((plan) => plan.some((step) => step.status === 'delivered')).length;
    assert.ok(delivered / plans.length > 0.8, `most messages are delivered (${delivered}/${plans.length})`);
    assert.ok(delivered < plans.length, 'some are not');
  });
}

test('a long SMS reports its parts; carrier channels carry a network code', () => {
  const plan = planReports(storedMessage({ uuid: randomUUID(), text: 'x'.repeat(400) }), 3);
  const submitted = plan.find((step) => step.status === 'submitted');
  assert.equal(submitted?.details.sms?.count_total, '3');
  assert.match(String(submitted?.details.network_code), /^\d{5,6}$/);
});

test('the simulator also produces duplicates and read-before-delivered, so the lifecycle is exercised', () => {
  const plans = Array.from({ length: 2_000 }, () => planReports(storedMessage({ uuid: randomUUID(), channel: 'whatsapp' }), 11));
  const duplicated = plans.filter((plan) => new Set(plan.map((step) => step.status)).size < plan.length);
  const readFirst = plans.filter((plan) => {
    const read = plan.findIndex((step) => step.status === 'read');
    const delivered = plan.findIndex((step) => step.status === 'delivered');
    return read >= 0 && read < delivered;
  });
  assert.ok(duplicated.length > 0, 'some duplicates');
  assert.ok(readFirst.length > 0, 'some read before delivered');
});

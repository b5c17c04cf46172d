import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyReport, type ReportOutcome } from '../src/lifecycle/state-machine.js';
import type { ErrorObject, ProviderReport, StatusEvent } from '../src/model/types.js';
import { CHANNELS, CHANNEL_TRAITS, STATUSES, type Channel, type MessageState, type Status } from '../src/model/vocabulary.js';
import { storedMessage } from './helpers/fixtures.js';

const NOW = 1_700_000_100_000;
const AT = 1_700_000_000_000;
const UUID = storedMessage().uuid;
const USAGE = { currency: 'EUR', price: '0.0333' };
const ERROR: ErrorObject = {
  type: 'https://errors.example/messages#1250',
  title: '1250',
  detail: 'Unroutable',
  instance: 'i-1',
};

function report(status: Status, extra: Partial<ProviderReport> = {}): ProviderReport {
  return { message_uuid: UUID, status, occurred_at: AT, source: 'simulator', ...extra };
}

function expectKind<K extends ReportOutcome['kind']>(outcome: ReportOutcome, kind: K): Extract<ReportOutcome, { kind: K }> {
  assert.equal(outcome.kind, kind, `expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<ReportOutcome, { kind: K }>;
}

/** Only the fields that decide ordering and forwarding, for compact expectations. */
function brief(events: StatusEvent[]): Array<[number, Status, boolean, boolean]> {
  return events.map((e) => [e.seq, e.status, e.forwarded, e.implied]);
}

// Every channel x status from a fresh message: accepted where the channel can report it.
for (const channel of CHANNELS) {
  for (const status of STATUSES) {
    const allowed = CHANNEL_TRAITS[channel].statuses.includes(status);
    test(`${channel} accepted + ${status} -> ${allowed ? 'changed' : 'invalid'}`, () => {
      const outcome = applyReport(storedMessage({ channel }), report(status), NOW);
      if (!allowed) {
        const { reason } = expectKind(outcome, 'invalid');
        assert.match(reason, new RegExp(`'${status}'.*'${channel}'`));
        return;
      }
      const { message: next, events } = expectKind(outcome, 'changed');
      const expected: Status[] = status === 'read' ? ['delivered', 'read'] : [status];
      assert.equal(next.state, status);
      assert.deepEqual(next.seen, expected);
      assert.deepEqual(brief(events), expected.map((s, i) => [i + 1, s, true, s !== status]));
      assert.equal(next.updated_at, NOW);
      for (const e of events) {
        assert.equal(e.recorded_at, NOW);
        assert.equal(e.occurred_at, AT);
        assert.equal(e.message_uuid, UUID);
      }
    });
  }
}

interface SequenceCase {
  name: string;
  channel: Channel;
  reports: ProviderReport[];
  /** Outcome kind of each report, in order. */
  kinds: ReportOutcome['kind'][];
  state: MessageState;
  seen: Status[];
  /** All recorded events across the sequence: [seq, status, forwarded, implied]. */
  events: Array<[number, Status, boolean, boolean]>;
}

const sequences: SequenceCase[] = [
  {
    name: 'whatsapp in order: submitted, delivered, read',
    channel: 'whatsapp',
    reports: [report('submitted'), report('delivered'), report('read')],
    kinds: ['changed', 'changed', 'changed'],
    state: 'read',
    seen: ['submitted', 'delivered', 'read'],
    events: [[1, 'submitted', true, false], [2, 'delivered', true, false], [3, 'read', true, false]],
  },
  {
    name: 'provider duplicate is dropped, nothing recorded',
    channel: 'whatsapp',
    reports: [report('submitted'), report('delivered'), report('delivered', { occurred_at: AT + 5 })],
    kinds: ['changed', 'changed', 'duplicate'],
    state: 'delivered',
    seen: ['submitted', 'delivered'],
    events: [[1, 'submitted', true, false], [2, 'delivered', true, false]],
  },
  {
    name: 'read first implies delivered (seq 2 and 3)',
    channel: 'viber_service',
    reports: [report('submitted'), report('read')],
    kinds: ['changed', 'changed'],
    state: 'read',
    seen: ['submitted', 'delivered', 'read'],
    events: [[1, 'submitted', true, false], [2, 'delivered', true, true], [3, 'read', true, false]],
  },
  {
    // The implied delivered already stands for it: the provider's own delivered is a duplicate.
    name: 'real delivered after an implied delivered is a duplicate',
    channel: 'rcs',
    reports: [report('read'), report('delivered')],
    kinds: ['changed', 'duplicate'],
    state: 'read',
    seen: ['delivered', 'read'],
    events: [[1, 'delivered', true, true], [2, 'read', true, false]],
  },
  {
    name: 'submitted after read is late: recorded, not forwarded',
    channel: 'messenger',
    reports: [report('read'), report('submitted')],
    kinds: ['changed', 'late'],
    state: 'read',
    seen: ['delivered', 'read', 'submitted'],
    events: [[1, 'delivered', true, true], [2, 'read', true, false], [3, 'submitted', false, false]],
  },
  {
    // delivered is not terminal on whatsapp: this one is late only because its rank is lower.
    name: 'whatsapp submitted after delivered is late (lower rank, not terminal)',
    channel: 'whatsapp',
    reports: [report('delivered'), report('submitted'), report('read')],
    kinds: ['changed', 'late', 'changed'],
    state: 'read',
    seen: ['delivered', 'submitted', 'read'],
    events: [[1, 'delivered', true, false], [2, 'submitted', false, false], [3, 'read', true, false]],
  },
  {
    name: 'sms delivered is terminal: a later rejected is late',
    channel: 'sms',
    reports: [report('submitted'), report('delivered'), report('rejected', { error: ERROR })],
    kinds: ['changed', 'changed', 'late'],
    state: 'delivered',
    seen: ['submitted', 'delivered', 'rejected'],
    events: [[1, 'submitted', true, false], [2, 'delivered', true, false], [3, 'rejected', false, false]],
  },
  {
    name: 'sms submitted after delivered is late',
    channel: 'sms',
    reports: [report('delivered'), report('submitted')],
    kinds: ['changed', 'late'],
    state: 'delivered',
    seen: ['delivered', 'submitted'],
    events: [[1, 'delivered', true, false], [2, 'submitted', false, false]],
  },
  {
    // Statuses never go backwards: a failure after delivered is history only, and read may still follow.
    name: 'whatsapp failed after delivered is late; a read after it is still forwarded',
    channel: 'whatsapp',
    reports: [report('delivered'), report('rejected', { error: ERROR }), report('read')],
    kinds: ['changed', 'late', 'changed'],
    state: 'read',
    seen: ['delivered', 'rejected', 'read'],
    events: [[1, 'delivered', true, false], [2, 'rejected', false, false], [3, 'read', true, false]],
  },
  {
    name: 'rcs undeliverable after delivered is late',
    channel: 'rcs',
    reports: [report('submitted'), report('delivered'), report('undeliverable', { error: ERROR })],
    kinds: ['changed', 'changed', 'late'],
    state: 'delivered',
    seen: ['submitted', 'delivered', 'undeliverable'],
    events: [[1, 'submitted', true, false], [2, 'delivered', true, false], [3, 'undeliverable', false, false]],
  },
  {
    name: 'whatsapp failed before delivered moves forward',
    channel: 'whatsapp',
    reports: [report('submitted'), report('rejected', { error: ERROR })],
    kinds: ['changed', 'changed'],
    state: 'rejected',
    seen: ['submitted', 'rejected'],
    events: [[1, 'submitted', true, false], [2, 'rejected', true, false]],
  },
  {
    name: 'undeliverable after rejected (equal rank) is late',
    channel: 'mms',
    reports: [report('rejected', { error: ERROR }), report('undeliverable', { error: ERROR })],
    kinds: ['changed', 'late'],
    state: 'rejected',
    seen: ['rejected', 'undeliverable'],
    events: [[1, 'rejected', true, false], [2, 'undeliverable', false, false]],
  },
  {
    name: 'read after rejected is late and implies nothing',
    channel: 'whatsapp',
    reports: [report('rejected', { error: ERROR }), report('read')],
    kinds: ['changed', 'late'],
    state: 'rejected',
    seen: ['rejected', 'read'],
    events: [[1, 'rejected', true, false], [2, 'read', false, false]],
  },
  {
    name: 'read on sms is invalid and changes nothing',
    channel: 'sms',
    reports: [report('submitted'), report('read')],
    kinds: ['changed', 'invalid'],
    state: 'submitted',
    seen: ['submitted'],
    events: [[1, 'submitted', true, false]],
  },
];

for (const c of sequences) {
  test(c.name, () => {
    let current = storedMessage({ channel: c.channel });
    const kinds: ReportOutcome['kind'][] = [];
    const events: StatusEvent[] = [];
    for (const r of c.reports) {
      const outcome = applyReport(current, r, NOW);
      kinds.push(outcome.kind);
      if (outcome.kind === 'changed' || outcome.kind === 'late') {
        current = outcome.message;
        events.push(...outcome.events);
      }
    }
    assert.deepEqual(kinds, c.kinds);
    assert.equal(current.state, c.state);
    assert.deepEqual(current.seen, c.seen);
    assert.deepEqual(brief(events), c.events);
  });
}

test('late delivered after read (history without delivered): recorded, not forwarded', () => {
  // A message whose stored history has read but no delivered (e.g. recorded before implied
  // events existed): the delivered is below read, so it is kept for history only.
  const outcome = applyReport(storedMessage({ channel: 'whatsapp', state: 'read', seen: ['submitted', 'read'] }), report('delivered', { usage: USAGE }), NOW);
  const { message: next, events } = expectKind(outcome, 'late');
  assert.equal(next.state, 'read');
  assert.deepEqual(next.seen, ['submitted', 'read', 'delivered']);
  assert.deepEqual(brief(events), [[3, 'delivered', false, false]]);
  assert.deepEqual(events[0]?.usage, USAGE);
});

interface DetailCase {
  name: string;
  channel: Channel;
  state: MessageState;
  seen: Status[];
  report: ProviderReport;
  /** Per recorded event: which status it is and whether it carries usage / error. */
  expect: Array<{ status: Status; usage: boolean; error: boolean }>;
}

const details: DetailCase[] = [
  {
    name: 'sms submitted carries usage (billable on submitted)',
    channel: 'sms', state: 'accepted', seen: [],
    report: report('submitted', { usage: USAGE }),
    expect: [{ status: 'submitted', usage: true, error: false }],
  },
  {
    name: 'sms delivered drops usage',
    channel: 'sms', state: 'submitted', seen: ['submitted'],
    report: report('delivered', { usage: USAGE }),
    expect: [{ status: 'delivered', usage: false, error: false }],
  },
  {
    name: 'mms submitted carries usage',
    channel: 'mms', state: 'accepted', seen: [],
    report: report('submitted', { usage: USAGE }),
    expect: [{ status: 'submitted', usage: true, error: false }],
  },
  {
    name: 'whatsapp submitted drops usage',
    channel: 'whatsapp', state: 'accepted', seen: [],
    report: report('submitted', { usage: USAGE }),
    expect: [{ status: 'submitted', usage: false, error: false }],
  },
  {
    name: 'whatsapp delivered carries usage (billable on delivered)',
    channel: 'whatsapp', state: 'submitted', seen: ['submitted'],
    report: report('delivered', { usage: USAGE }),
    expect: [{ status: 'delivered', usage: true, error: false }],
  },
  {
    name: 'whatsapp read first: usage on the implied delivered, not on read',
    channel: 'whatsapp', state: 'submitted', seen: ['submitted'],
    report: report('read', { usage: USAGE }),
    expect: [
      { status: 'delivered', usage: true, error: false },
      { status: 'read', usage: false, error: false },
    ],
  },
  {
    name: 'whatsapp read after delivered drops usage',
    channel: 'whatsapp', state: 'delivered', seen: ['submitted', 'delivered'],
    report: report('read', { usage: USAGE }),
    expect: [{ status: 'read', usage: false, error: false }],
  },
  {
    name: 'rejected carries error',
    channel: 'rcs', state: 'submitted', seen: ['submitted'],
    report: report('rejected', { error: ERROR }),
    expect: [{ status: 'rejected', usage: false, error: true }],
  },
  {
    name: 'undeliverable carries error',
    channel: 'sms', state: 'accepted', seen: [],
    report: report('undeliverable', { error: ERROR }),
    expect: [{ status: 'undeliverable', usage: false, error: true }],
  },
  {
    name: 'rejected without error is still accepted, error absent',
    channel: 'sms', state: 'submitted', seen: ['submitted'],
    report: report('rejected'),
    expect: [{ status: 'rejected', usage: false, error: false }],
  },
  {
    name: 'error on a delivered report is not passed on',
    channel: 'sms', state: 'submitted', seen: ['submitted'],
    report: report('delivered', { error: ERROR }),
    expect: [{ status: 'delivered', usage: false, error: false }],
  },
];

for (const c of details) {
  test(c.name, () => {
    const outcome = applyReport(storedMessage({ channel: c.channel, state: c.state, seen: c.seen }), c.report, NOW);
    const { events } = expectKind(outcome, 'changed');
    assert.deepEqual(
      events.map((e) => ({ status: e.status, usage: 'usage' in e, error: 'error' in e })),
      c.expect,
    );
    for (const e of events) {
      if (e.usage) assert.deepEqual(e.usage, USAGE);
      if (e.error) assert.deepEqual(e.error, ERROR);
    }
  });
}

test('every forwarded event carries network code, sms, whatsapp and profile details', () => {
  const extra = {
    network_code: '23410',
    sms: { count_total: '2' },
    whatsapp: { conversation: { id: 'c-1' } },
    profile: { name: 'Ann' },
  };
  const outcome = applyReport(storedMessage({ channel: 'whatsapp', state: 'submitted', seen: ['submitted'] }), report('read', extra), NOW);
  const { events } = expectKind(outcome, 'changed');
  assert.equal(events.length, 2);
  for (const e of events) {
    assert.equal(e.network_code, '23410');
    assert.deepEqual(e.sms, extra.sms);
    assert.deepEqual(e.whatsapp, extra.whatsapp);
    assert.deepEqual(e.profile, extra.profile);
    assert.equal(e.source, 'simulator');
  }
});

test('absent details leave no undefined keys on events', () => {
  const { events } = expectKind(applyReport(storedMessage({ channel: 'sms' }), report('submitted'), NOW), 'changed');
  assert.deepEqual(Object.keys(events[0] ?? {}).sort(), [
    'forwarded', 'implied', 'message_uuid', 'occurred_at', 'recorded_at', 'seq', 'source', 'status',
  ]);
});

test('a report for another message is invalid', () => {
  const outcome = applyReport(storedMessage({ channel: 'sms' }), report('submitted', { message_uuid: 'other' }), NOW);
  assert.match(expectKind(outcome, 'invalid').reason, /other/);
});

test('the input message is not modified', () => {
  const input = storedMessage({ channel: 'whatsapp', state: 'submitted', seen: ['submitted'] });
  const before = structuredClone(input);
  expectKind(applyReport(input, report('read', { usage: USAGE }), NOW), 'changed');
  expectKind(applyReport(storedMessage({ channel: 'whatsapp', state: 'read', seen: ['submitted', 'delivered', 'read'] }), report('rejected'), NOW), 'late');
  assert.deepEqual(input, before);
});

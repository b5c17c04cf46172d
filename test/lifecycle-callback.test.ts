import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPayload } from '../src/lifecycle/callback.js';
import type { Message, StatusEvent } from '../src/model/types.js';
import { storedMessage } from './helpers/fixtures.js';

const AT = Date.UTC(2023, 4, 1, 14, 0, 0); // 2023-05-01T14:00:00.000Z

function event(overrides: Partial<StatusEvent> = {}): StatusEvent {
  return {
    message_uuid: storedMessage().uuid,
    seq: 1,
    status: 'submitted',
    occurred_at: AT,
    recorded_at: AT + 5,
    source: 'smpp',
    forwarded: true,
    implied: false,
    ...overrides,
  };
}

const REQUIRED = ['message_uuid', 'to', 'from', 'timestamp', 'status', 'channel'];
const ERROR = { type: 'https://errors.example/messages#1250', title: '1250', detail: 'Unroutable', instance: 'i-9' };

interface PayloadCase {
  name: string;
  message: Message;
  event: StatusEvent;
  /** Exact body bytes: key order and omissions included. */
  json: string;
}

const cases: PayloadCase[] = [
  {
    name: 'minimal: only the required keys',
    message: storedMessage(),
    event: event(),
    json:
      '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","to":"4915112345678","from":"ACME",' +
      '"timestamp":"2023-05-01T14:00:00.000Z","status":"submitted","channel":"sms"}',
  },
  {
    name: 'sms submitted with every sms field, keys in fixed order',
    message: storedMessage({ client_ref: 'ref-1', workflow: { workflow_id: 'wf', items_number: '2', items_total: '2' } }),
    // Nested keys deliberately given in the wrong order: the body must not depend on it.
    event: event({
      sms: { segments: [{ n: '1' }], count_total: '2' },
      network_code: '23410',
      usage: { price: '0.0333', currency: 'EUR' },
    } as Partial<StatusEvent>),
    json:
      '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","to":"4915112345678","from":"ACME",' +
      '"timestamp":"2023-05-01T14:00:00.000Z","status":"submitted","channel":"sms","client_ref":"ref-1",' +
      '"usage":{"currency":"EUR","price":"0.0333"},"destination":{"network_code":"23410"},' +
      '"workflow":{"workflow_id":"wf","items_number":"2","items_total":"2"},' +
      '"sms":{"count_total":"2","segments":[{"n":"1"}]}}',
  },
  {
    name: 'rejected rcs carries error',
    message: storedMessage({ channel: 'rcs', state: 'rejected', seen: ['rejected'] }),
    event: event({ status: 'rejected', error: { instance: 'i-9', detail: 'Unroutable', title: '1250', type: ERROR.type } }),
    json:
      '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","to":"4915112345678","from":"ACME",' +
      '"timestamp":"2023-05-01T14:00:00.000Z","status":"rejected","channel":"rcs",' +
      `"error":${JSON.stringify(ERROR)}}`,
  },
  {
    name: 'whatsapp read with whatsapp and profile details',
    message: storedMessage({ channel: 'whatsapp', state: 'read' }),
    event: event({ status: 'read', occurred_at: AT + 1234, profile: { name: 'Ann' }, whatsapp: { conversation: { id: 'c' } } }),
    json:
      '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","to":"4915112345678","from":"ACME",' +
      '"timestamp":"2023-05-01T14:00:01.234Z","status":"read","channel":"whatsapp",' +
      '"whatsapp":{"conversation":{"id":"c"}},"profile":{"name":"Ann"}}',
  },
];

for (const c of cases) {
  test(`payload: ${c.name}`, () => {
    const payload = buildPayload(c.message, c.event);
    assert.equal(JSON.stringify(payload), c.json);
    assert.deepEqual(Object.keys(payload).slice(0, REQUIRED.length), REQUIRED);
    // No key is present with an undefined value (it would vanish in JSON but not in XML).
    for (const [key, value] of Object.entries(payload)) assert.notEqual(value, undefined, key);
  });
}

test('full payload key order', () => {
  const payload = buildPayload(
    storedMessage({ client_ref: 'r', workflow: { workflow_id: 'w', items_number: '1', items_total: '2' } }),
    event({
      status: 'rejected',
      usage: { currency: 'EUR', price: '1' },
      network_code: '1',
      error: ERROR,
      sms: { count_total: '1' },
      whatsapp: {},
      profile: {},
    }),
  );
  assert.deepEqual(Object.keys(payload), [
    ...REQUIRED, 'client_ref', 'usage', 'destination', 'error', 'workflow', 'sms', 'whatsapp', 'profile',
  ]);
});

test('the payload shares no objects with the event', () => {
  const e = event({ whatsapp: { a: { b: 1 } }, sms: { count_total: '1', segments: [{ n: '1' }] } });
  const payload = buildPayload(storedMessage(), e);
  (e.whatsapp as { a: { b: number } }).a.b = 2;
  e.sms?.segments?.push({ n: '2' });
  assert.deepEqual(payload.whatsapp, { a: { b: 1 } });
  assert.deepEqual(payload.sms, { count_total: '1', segments: [{ n: '1' }] });
});

test('an event of another message is refused', () => {
  assert.throws(() => buildPayload(storedMessage(), event({ message_uuid: 'other' })), /other/);
});

/**
 * A connector timeout on a fake clock: the SMPP segment timeout (1490) of a two-part SMS whose
 * second part never reports, fired by advancing the clock an hour instead of waiting for it.
 * Relay and stand-in SMSC (smpp package, 127.0.0.1) are real; only time is fake.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAfterAll } from './helpers/cleanup.js';
import { startRelay, waitFor } from './helpers/relay.js';
import { textMessage } from './helpers/fixtures.js';
import { startSmsc } from './helpers/smsc.js';
import { createFakeClock } from './helpers/fake-clock.js';

const HOUR = 3_600_000;
const open = closeAfterAll();

test('the SMPP segment timeout rejects with 1490 when the fake clock passes it, not before', async () => {
  const clock = createFakeClock();
  const smsc = await startSmsc({});
  // enquire_link runs on the same clock: a day apart, it stays out of the hour advanced here.
  const relay = await startRelay(
    { SMSC_URL: smsc.url, SMSC_SEGMENT_TIMEOUT_MS: String(HOUR), SMSC_ENQUIRE_LINK_MS: String(24 * HOUR) },
    { clock },
  );
  open.push(() => smsc.close(), () => relay.stop());
  await waitFor(() => smsc.binds > 0, 5_000, 'the relay to bind');
  const { store } = relay.relay;

  const res = await relay.api('POST', '/v1/messages', textMessage({ text: 'z'.repeat(200) }));
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const uuid: string = res.body.message_uuid;
  const state = async () => (await store.getMessage(uuid))?.state;
  await waitFor(async () => smsc.submits.length === 2 && (await state()) === 'submitted', 5_000, 'two parts submitted');

  // Answered only after the handler stored the part's outcome and armed the timeout.
  assert.equal(await smsc.sendReceipt({ id: smsc.submits[0].id, stat: 'DELIVRD' }), 0);
  const reported = (await store.listMessageParts(uuid)).find((part) => part.outcome !== undefined);
  assert.equal(reported?.updated_at, clock.now(), 'the part reported at fake time');

  clock.advance(HOUR - 1);
  await new Promise((resolve) => setTimeout(resolve, 100)); // room for a timeout fired too early to be recorded
  assert.equal(await state(), 'submitted', '1 ms before the timeout the message still waits');

  clock.advance(1);
  await waitFor(async () => (await state()) === 'rejected', 5_000, 'the segment timeout');
  const rejected = (await store.listEvents(uuid)).find((event) => event.status === 'rejected');
  assert.equal(rejected?.error?.title, '1490');
  assert.equal(rejected?.occurred_at, reported.updated_at + HOUR);
});

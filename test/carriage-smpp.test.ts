/**
 * SMS over SMPP end to end: a relay bound to a stand-in SMSC (the smpp package's server on
 * 127.0.0.1), messages posted to the REST API, receipts sent by the SMSC, callbacks checked at
 * a verifying receiver.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, startReceiver, textMessage, waitFor, type Receiver, type RunningRelay } from './helpers/relay.js';
import { deliveredReceipt, startSmsc, type Smsc, type SmscOptions } from './helpers/smsc.js';

const SMPP_ENV = { SMSC_RECONNECT_BASE_MS: '50', SMSC_RECONNECT_CAP_MS: '200', SMSC_THROTTLE_MS: '50', SMSC_RECEIPT_HOLD_MS: '2000' };

interface Rig {
  smsc: Smsc;
  relay: RunningRelay;
  receiver: Receiver;
  send(overrides?: Record<string, unknown>): Promise<string>;
  statuses(uuid: string): string[];
  callbacks(uuid: string): any[];
}

const open: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

async function rig(smscOptions: SmscOptions = {}, env: Record<string, string> = {}): Promise<Rig> {
  const smsc = await startSmsc(smscOptions);
  const receiver = await startReceiver();
  const relay = await startRelay({ SMSC_URL: smsc.url, ...SMPP_ENV, ...env });
  open.push(() => smsc.close(), () => receiver.close(), () => relay.stop());
  await waitFor(() => smsc.binds > 0, 5_000, 'the relay to bind');
  const callbacks = (uuid: string) => receiver.received.map((r) => r.json).filter((j) => j.message_uuid === uuid);
  return {
    smsc,
    relay,
    receiver,
    async send(overrides = {}) {
      const res = await relay.api('POST', '/v1/messages', textMessage({ webhook_url: receiver.url, ...overrides }));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.message_uuid as string;
    },
    callbacks,
    statuses: (uuid) => callbacks(uuid).map((c) => c.status),
  };
}

test('bind, submit and a text receipt give submitted then delivered', async () => {
  const r = await rig({ receipt: deliveredReceipt });
  const uuid = await r.send({ from: 'ACME', text: 'Hello there' });
  await waitFor(() => r.statuses(uuid).length === 2, 5_000, 'two callbacks');
  assert.deepEqual(r.statuses(uuid), ['submitted', 'delivered']);
  const [submit] = r.smsc.submits;
  assert.equal(submit.text, 'Hello there');
  assert.equal(submit.to, '436641234567');
  assert.equal(submit.sourceTon, 5, 'alphanumeric sender');
  assert.equal(submit.registeredDelivery, 1);
  assert.deepEqual(r.callbacks(uuid)[1].sms, { count_total: '1' });
  const message = await r.relay.relay.store.getMessage(uuid);
  assert.equal(message?.provider_ref, submit.id);
  assert.deepEqual(r.smsc.receiptAnswers, [0]);
});

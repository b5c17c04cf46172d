/**
 * Two statusrelay nodes on one PostgreSQL database: the customer submits on one node and is
 * bound as a receiver on the other. Receipts leave only from the node where its session is bound
 * (claims are restricted to the system ids bound there), and when it binds to the other node
 * its waiting receipts follow it. Every receipt is sent once: no attempt on a node without the
 * session.
 */
import './helpers/leak-guard.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, waitFor } from './helpers/relay.js';
import { POSTGRES_SKIP, freshPostgresUrl } from './helpers/postgres.js';
import { connectEsme, type Esme } from './helpers/esme.js';
import { encodeSms } from '../src/model/gsm.js';
import { uuidOfSmppMessageId } from '../src/model/smpp-receipt.js';

test('SMPP on two PostgreSQL nodes: receipts leave from the node the customer is bound to, and follow it', { skip: POSTGRES_SKIP, timeout: 90_000 }, async () => {
  const databaseUrl = await freshPostgresUrl();
  const env = { DATABASE_URL: databaseUrl, SIMULATOR_TIME_SCALE: '0.01', SIMULATOR_SEED: '5', LEASE_MS: '5000' };
  const a = await startRelay(env, { store: 'postgres' });
  const b = await startRelay(env, { store: 'postgres' });
  const esmes: Esme[] = [];
  try {
    const addressA = await a.relay.smppServer.listenOn(0);
    const addressB = await b.relay.smppServer.listenOn(0);
    const { smpp_system_id: systemId, smpp_password: password } = a.credentials;
    const bind = async (address: string, type: 'transmitter' | 'receiver') => {
      const esme = await connectEsme(address);
      esmes.push(esme);
      assert.equal((await esme.bind(type, systemId, password)).command_status, 0);
      return esme;
    };
    const submitAll = async (tx: Esme, from: number, count: number) => {
      const ids: string[] = [];
      for (let i = from; i < from + count; i++) {
        const answer = await tx.submit({ destination_addr: `43664100${String(i).padStart(4, '0')}`, registered_delivery: 0x11, data_coding: 0, short_message: encodeSms(`node ${i}`).parts[0] });
        assert.equal(answer.command_status, 0);
        ids.push(answer.message_id);
      }
      return ids;
    };

    // The simulator's outcome differs per message (a rejection may come without `submitted`),
    // so each message is waited for until its final receipt arrived.
    const FINAL = /stat:(DELIVRD|REJECTD|UNDELIV|EXPIRED)/;
    const finalFor = (esme: Esme, ids: string[]) => ids.every((id) => esme.receipts.some((r) => r.pdu.receipted_message_id === id && FINAL.test(r.text)));
    const callbacksOf = async (ids: string[]) => (await Promise.all(ids.map((id) => a.relay.store.listCallbacks(uuidOfSmppMessageId(id)!)))).flat();

    const rxOnB = await bind(addressB, 'receiver');
    const tx = await bind(addressA, 'transmitter');
    const first = await submitAll(tx, 0, 20);
    await waitFor(() => finalFor(rxOnB, first), 45_000, 'a final receipt for each message on node B');

    // The receiver leaves B; receipts of new submits wait; it binds to A and they follow it there.
    await rxOnB.close();
    const second = await submitAll(tx, 20, 10);
    await waitFor(async () => (await callbacksOf(second)).filter((c) => c.status !== 'submitted').length >= second.length, 45_000, 'final receipts of the second batch waiting');
    const rxOnA = await bind(addressA, 'receiver');
    await waitFor(() => finalFor(rxOnA, second), 45_000, 'a final receipt for each message on node A');

    // The ESME has answered; the attempt's outcome is written right after.
    await waitFor(async () => (await callbacksOf([...first, ...second])).every((c) => c.state === 'delivered'), 10_000, 'outcomes recorded');
    for (const [ids, esme] of [[first, rxOnB], [second, rxOnA]] as const) {
      const callbacks = await callbacksOf([...ids]);
      const got = esme.receipts.filter((r) => ids.includes(r.pdu.receipted_message_id));
      assert.equal(got.length, callbacks.length, 'one deliver_sm per receipt');
      for (const callback of callbacks) {
        assert.equal(callback.state, 'delivered');
        assert.equal(callback.attempts_log.length, 1, `${callback.message_uuid} ${callback.status}: one attempt, from the node with the session`);
      }
    }
    assert.deepEqual(new Set(rxOnA.receipts.map((r) => r.pdu.receipted_message_id)), new Set(second));
  } finally {
    for (const esme of esmes) esme.session.destroy();
    await a.stop();
    await b.stop();
  }
});

test('SMPP on two PostgreSQL nodes: an account\'s max_sessions counts the sessions bound on every node', { skip: POSTGRES_SKIP, timeout: 60_000 }, async () => {
  const databaseUrl = await freshPostgresUrl();
  const env = { DATABASE_URL: databaseUrl };
  const a = await startRelay(env, { store: 'postgres' });
  const b = await startRelay(env, { store: 'postgres' });
  const esmes: Esme[] = [];
  try {
    const addresses = [await a.relay.smppServer.listenOn(0), await b.relay.smppServer.listenOn(0)];
    const { smpp_system_id: systemId, smpp_password: password } = a.credentials;
    const credential = (await a.relay.store.getSmppCredentialOfAccount(a.credentials.account_id))!;
    await a.relay.store.saveSmppCredential({ ...credential, max_sessions: 3 });
    const bindOn = async (address: string) => {
      const esme = await connectEsme(address);
      esmes.push(esme);
      return (await esme.bind('transceiver', systemId, password)).command_status;
    };
    // Six binds at once, alternating between the nodes: exactly three succeed.
    const statuses = await Promise.all(Array.from({ length: 6 }, (_, i) => bindOn(addresses[i % 2]!)));
    assert.equal(statuses.filter((status) => status === 0).length, 3, JSON.stringify(statuses));
    assert.ok(statuses.filter((status) => status !== 0).every((status) => status === 0x0d), 'the others: ESME_RBINDFAIL');

    // One bound session leaves: its place is free on either node.
    const bound = esmes.filter((_, i) => statuses[i] === 0);
    await bound[0]!.close();
    await waitFor(async () => (await bindOn(addresses[1]!)) === 0, 10_000, 'a freed place taken on node B');
  } finally {
    for (const esme of esmes) esme.session.destroy();
    await a.stop();
    await b.stop();
  }
});

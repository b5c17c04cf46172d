/**
 * POST /v1/account/secrets/rotate end to end: receivers holding the old or the new signature
 * secret verify during the grace period (both public verifiers), only the new one after it.
 */
import './helpers/leak-guard.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { verifySignature } from '@vonage/jwt';
import { Webhook } from 'standardwebhooks';
import { basicAuth, startRelayAndReceiver, verifyCallback, waitFor, type Receiver, type RunningRelay } from './helpers/relay.js';
import { SILENT_SIMULATOR, report, sendMessage } from './helpers/forwarding.js';

async function callbackOfNewMessage(relay: RunningRelay, receiver: Receiver) {
  const before = receiver.received.length;
  const uuid = await sendMessage(relay, { webhook_url: receiver.url });
  await report(relay, uuid, ['submitted']);
  await waitFor(() => receiver.received.length === before + 1, 5_000, 'the callback');
  return receiver.received[before]!;
}

function verifiesWith(callback: { body: string; headers: Record<string, unknown> }, secret: string) {
  return {
    standardWebhooks: passes(() => new Webhook(secret).verify(callback.body, callback.headers as Record<string, string>)),
    jwt: verifySignature(String(callback.headers.authorization).replace(/^Bearer /, ''), secret),
  };
}

function passes(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

test('a rotated signature secret: old and new verify during the grace period, only the new one after it', async (t) => {
  const { relay, receiver } = await startRelayAndReceiver(t, SILENT_SIMULATOR);
  const oldSecret = relay.credentials.signature_secret;

  const rotated = await relay.api('POST', '/v1/account/secrets/rotate', { secret: 'signature_secret', grace_seconds: 3600 });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  const newSecret = rotated.body.signature_secret as string;
  assert.match(newSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.notEqual(newSecret, oldSecret);
  const until = Date.parse(rotated.body.previous_secret_signs_until);
  assert.ok(Math.abs(until - (Date.now() + 3_600_000)) < 60_000, rotated.body.previous_secret_signs_until);
  assert.equal(JSON.stringify(rotated.body).includes(oldSecret), false);

  const during = await callbackOfNewMessage(relay, receiver);
  assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
  verifyCallback(during.body, during.headers, newSecret);
  assert.deepEqual(verifiesWith(during, newSecret), { standardWebhooks: true, jwt: true });
  assert.deepEqual(verifiesWith(during, oldSecret), { standardWebhooks: true, jwt: false }, 'the JWT carries the new secret only');

  // A short grace period, waited out: from then on only the newest secret signs.
  const again = await relay.api('POST', '/v1/account/secrets/rotate', { secret: 'signature_secret', grace_seconds: 1 });
  assert.equal(again.status, 200);
  const newest = again.body.signature_secret as string;
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const after = await callbackOfNewMessage(relay, receiver);
  assert.equal(String(after.headers['webhook-signature']).split(' ').length, 1);
  verifyCallback(after.body, after.headers, newest);
  assert.deepEqual(verifiesWith(after, newSecret), { standardWebhooks: false, jwt: false });
  assert.deepEqual(verifiesWith(after, oldSecret), { standardWebhooks: false, jwt: false });
});

test('without grace_seconds the old signature secret signs for 24 hours', async (t) => {
  const { relay } = await startRelayAndReceiver(t, SILENT_SIMULATOR);
  const rotated = await relay.api('POST', '/v1/account/secrets/rotate', { secret: 'signature_secret' });
  assert.equal(rotated.status, 200);
  const until = Date.parse(rotated.body.previous_secret_signs_until);
  assert.ok(Math.abs(until - (Date.now() + 86_400_000)) < 60_000, rotated.body.previous_secret_signs_until);
});

test('a rotated API secret works at once and the old one no longer does', async (t) => {
  const { relay } = await startRelayAndReceiver(t, SILENT_SIMULATOR);
  const rotated = await relay.api('POST', '/v1/account/secrets/rotate', { secret: 'api_secret' });
  assert.equal(rotated.status, 200);
  assert.deepEqual(Object.keys(rotated.body), ['api_secret']);
  assert.notEqual(rotated.body.api_secret, relay.credentials.api_secret);

  const get = (auth: string) => fetch(`${relay.baseUrl}/v1/account`, { headers: { authorization: auth } });
  const old = await get(relay.auth);
  assert.equal(old.status, 401);
  assert.match(old.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const fresh = await get(basicAuth({ api_key: relay.credentials.api_key, api_secret: rotated.body.api_secret }));
  assert.equal(fresh.status, 200);
});

test('a bad rotation request is refused with 422 naming the field, and changes nothing', async (t) => {
  const { relay } = await startRelayAndReceiver(t, SILENT_SIMULATOR);
  const cases: Array<[unknown, string]> = [
    [{}, 'secret'],
    [{ secret: 'smpp_password' }, 'secret'],
    [{ secret: 'signature_secret', grace_seconds: -1 }, 'grace_seconds'],
    [{ secret: 'signature_secret', grace_seconds: 1.5 }, 'grace_seconds'],
    [{ secret: 'signature_secret', grace_seconds: '60' }, 'grace_seconds'],
    [{ secret: 'signature_secret', grace_seconds: 7 * 86_400 + 1 }, 'grace_seconds'],
    [{ secret: 'api_secret', grace_seconds: 60 }, 'grace_seconds'],
    [{ secret: 'api_secret', also: 1 }, 'also'],
    [[], ''],
  ];
  for (const [body, field] of cases) {
    const response = await relay.api('POST', '/v1/account/secrets/rotate', body);
    assert.equal(response.status, 422, JSON.stringify(body));
    assert.deepEqual(response.body.invalid_parameters.map((p: { name: string }) => p.name), [field], JSON.stringify(body));
  }
  // The old credentials still work and callbacks still verify with the old secret.
  assert.equal((await relay.api('GET', '/v1/account')).status, 200);
  const account = (await relay.relay.store.getAccount(relay.credentials.account_id))!;
  assert.equal(account.signature_secret, relay.credentials.signature_secret);
  assert.equal(account.previous_signature_secret, undefined);
});

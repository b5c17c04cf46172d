import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifySignature } from '@vonage/jwt';
import { Webhook } from 'standardwebhooks';
import { signCallback } from '../src/dispatch/signing.js';
import { newSignatureSecret } from '../src/model/signature-secret.js';
import { TEST_SECRET, TEST_SECRET_2 } from './helpers/fixtures.js';

const body = JSON.stringify({ message_uuid: 'u-1', status: 'delivered', to: '4915112345678', text: 'Grüße €' });

function sign(secret: string, overrides: { application_id?: string; body?: string; previous?: { secret: string; until: number }; now?: number } = {}) {
  return signCallback({
    body: overrides.body ?? body,
    callbackId: 'cb-123',
    now: overrides.now ?? Date.now(),
    jti: 'jti-' + Math.random(),
    signing: {
      signature_secret: secret,
      api_key: 'key-1',
      ...('application_id' in overrides ? { application_id: overrides.application_id } : {}),
      ...(overrides.previous ? { previous_signature_secret: overrides.previous.secret, previous_signature_secret_until: overrides.previous.until } : {}),
    },
    issuer: 'statusrelay-test',
  });
}

function jwtClaims(authorization: string): Record<string, unknown> {
  const token = authorization.replace(/^Bearer /, '');
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('signCallback', () => {
  it('produces a JWT that @vonage/jwt verifies, with the payload hash of the body', () => {
    const headers = sign(TEST_SECRET, { application_id: 'app-1' });
    const token = headers.authorization!.replace(/^Bearer /, '');
    assert.equal(verifySignature(token, TEST_SECRET), true);
    assert.equal(verifySignature(token, TEST_SECRET_2), false);
    const claims = jwtClaims(headers.authorization!);
    assert.equal(claims.payload_hash, sha256(body));
    assert.equal(claims.iss, 'statusrelay-test');
    assert.equal(claims.api_key, 'key-1');
    assert.equal(claims.application_id, 'app-1');
    assert.equal(claims.iat, Number(headers['webhook-timestamp']));
    assert.match(String(claims.jti), /^jti-/);
  });

  it('leaves application_id out when the account has none', () => {
    const claims = jwtClaims(sign(TEST_SECRET).authorization!);
    assert.equal('application_id' in claims, false);
  });

  it('produces Standard Webhooks headers that standardwebhooks verifies', () => {
    const headers = sign(TEST_SECRET);
    assert.equal(headers['webhook-id'], 'cb-123');
    assert.match(headers['webhook-timestamp']!, /^\d+$/);
    assert.match(headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(new Webhook(TEST_SECRET).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(TEST_SECRET_2).verify(body, headers));
  });

  it('a tampered body fails both checks', () => {
    const headers = sign(TEST_SECRET);
    const tampered = body.replace('delivered', 'read');
    assert.throws(() => new Webhook(TEST_SECRET).verify(tampered, headers), /signature/i);
    const token = headers.authorization!.replace(/^Bearer /, '');
    // The JWT itself is intact; the receiver catches the change through payload_hash.
    assert.equal(verifySignature(token, TEST_SECRET), true);
    assert.notEqual(jwtClaims(headers.authorization!).payload_hash, sha256(tampered));
  });

  it('signs with the previous secret too until its grace period ends; the JWT uses the current one', () => {
    const now = Date.now();
    const during = sign(TEST_SECRET, { previous: { secret: TEST_SECRET_2, until: now + 1 }, now });
    assert.equal(during['webhook-signature']!.split(' ').length, 2);
    new Webhook(TEST_SECRET).verify(body, during);
    new Webhook(TEST_SECRET_2).verify(body, during);
    assert.throws(() => new Webhook(newSignatureSecret()).verify(body, during));
    const token = during.authorization!.replace(/^Bearer /, '');
    assert.equal(verifySignature(token, TEST_SECRET), true);
    assert.equal(verifySignature(token, TEST_SECRET_2), false);

    const after = sign(TEST_SECRET, { previous: { secret: TEST_SECRET_2, until: now }, now });
    assert.equal(after['webhook-signature']!.split(' ').length, 1);
    new Webhook(TEST_SECRET).verify(body, after);
    assert.throws(() => new Webhook(TEST_SECRET_2).verify(body, after));
  });

  it('signs XML bodies too (Standard Webhooks verification without JSON parsing)', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<status_callback><status>read</status></status_callback>';
    const headers = sign(TEST_SECRET, { body: xml });
    new Webhook(TEST_SECRET).verify(xml, headers, { jsonParse: false });
    assert.equal(jwtClaims(headers.authorization!).payload_hash, sha256(xml));
  });
});

describe('newSignatureSecret', () => {
  it('is whsec_ + base64 of 32 random bytes, usable by standardwebhooks', () => {
    const secret = newSignatureSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
    assert.notEqual(secret, newSignatureSecret());
    const headers = sign(secret);
    new Webhook(secret).verify(body, headers);
    assert.equal(verifySignature(headers.authorization!.replace(/^Bearer /, ''), secret), true);
  });
});

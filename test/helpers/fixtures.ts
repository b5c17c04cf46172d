/** Shared test data. Add builders here rather than copying fixtures between test files. */
import type { RetryConfig } from '../../src/model/retry.js';
import type { CallbackPayload, Message } from '../../src/model/types.js';
import type { Destination } from '../../src/model/destination.js';
import type { Account, ClaimedCallback } from '../../src/store/store.js';
import { randomUUID } from 'node:crypto';

/** A fixed, valid Standard Webhooks secret (base64 of 32 bytes) for reproducible tests. */
export const TEST_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
export const TEST_SECRET_2 = 'whsec_' + Buffer.alloc(32, 9).toString('base64');

/** The default retry schedule of config.ts: 5 s doubling to 15 min, for 24 h, ±20 %. */
export const DEFAULT_RETRY: RetryConfig = Object.freeze({
  baseMs: 5_000,
  capMs: 15 * 60_000,
  windowMs: 24 * 3_600_000,
  jitter: 0.2,
});

/** A payload with every optional part filled in; leaf values are all strings. */
export function fullPayload(overrides: Partial<CallbackPayload> = {}): CallbackPayload {
  return {
    message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    to: '4915112345678',
    from: '4917600000000',
    timestamp: '2025-01-02T03:04:05.000Z',
    status: 'rejected',
    channel: 'sms',
    client_ref: 'order-42 & <more>',
    usage: { currency: 'EUR', price: '0.0330' },
    destination: { network_code: '26201' },
    error: {
      type: 'https://developer.vonage.com/api-errors/messages#1360',
      title: '1360',
      detail: 'TTL expired before delivery',
      instance: 'bf0ca0bf-927b-4e0f-9e4f-f5ec4d7f2a01',
    },
    workflow: { workflow_id: '3TcNjguHxr2vcCZ9Ddsnq6tw8yQUpZ9rMHv9QXSxLan5ibMxqSzLdx9', items_number: '1', items_total: '2' },
    sms: { count_total: '2', segments: [{ id: 'seg-1', count: '1' }, { id: 'seg-2', count: '1' }] },
    ...overrides,
  };
}

/** A claimed callback ready to send; `body` defaults to the JSON of fullPayload(). */
export function claimedCallback(overrides: Partial<ClaimedCallback> = {}): ClaimedCallback {
  const destination: Destination = { type: 'url', url: 'http://127.0.0.1:9/callback' };
  return {
    id: 'cb-' + Math.random().toString(36).slice(2, 10),
    account_id: 'acc-1',
    message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    event_seq: 1,
    status: 'delivered',
    destination,
    destination_key: 'url:http://127.0.0.1:9',
    format: 'json',
    content_type: 'application/json',
    body: JSON.stringify(fullPayload({ status: 'delivered' })),
    state: 'inflight',
    attempts: 0,
    due_at: Date.now() + 30_000,
    created_at: Date.now(),
    lease_token: 'lease-1',
    signing: { signature_secret: TEST_SECRET, api_key: 'key-1', application_id: 'app-1' },
    ...overrides,
  };
}

/**
 * A stored message, just accepted: an SMS sent through the REST API, not yet reported on. Unit
 * tests and the benchmark build every Message with this; tests that store several give each a uuid.
 */
export function storedMessage(overrides: Partial<Message> = {}): Message {
  return {
    uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    account_id: 'acc-1',
    interface: 'api',
    channel: 'sms',
    message_type: 'text',
    to: '4915112345678',
    from: 'ACME',
    text: 'Hello',
    state: 'accepted',
    seen: [],
    failover: [],
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_000_000,
    ...overrides,
  };
}

/** The body of `POST /v1/messages` for an SMS text; API-level tests build every request with this. */
export function textMessage(overrides: Record<string, unknown> = {}) {
  return { channel: 'sms', message_type: 'text', to: '436641234567', from: 'ACME', text: 'Hello', ...overrides };
}

/** An account as stored, with a fresh id and api_key (store tests). */
export function storedAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: randomUUID(),
    name: 'test account',
    api_key: randomUUID().slice(0, 16),
    api_secret_hash: 'ab'.repeat(32),
    signature_secret: 'whsec_' + Buffer.alloc(32, 3).toString('base64'),
    created_at: 1_700_000_000_000,
    ...overrides,
  };
}

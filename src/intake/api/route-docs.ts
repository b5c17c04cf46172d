/**
 * What the OpenAPI document (openapi.ts) says of each REST API route: summaries, parameters,
 * bodies and answers. Documentation only: the handlers validate, as the README describes.
 */
import { CHANNELS, MESSAGE_TYPES, STATUSES } from '../../model/vocabulary.js';
import { AUTH_ANSWERS, BASIC_AUTH, INVALID, NOT_FOUND } from './openapi.js';

const string = { type: 'string' } as const;
const object = { type: 'object' } as const;

const MESSAGE_ITEM = {
  type: 'object',
  required: ['channel', 'message_type', 'to', 'from'],
  properties: {
    channel: { type: 'string', enum: [...CHANNELS] },
    message_type: { type: 'string', enum: [...MESSAGE_TYPES] },
    to: { type: 'string', pattern: '^\\d{7,15}$' },
    from: { type: 'string', description: 'A number, or on SMS an alphanumeric sender id of up to 11 characters' },
    text: { type: 'string', description: 'message_type text: up to 1,000 characters on SMS, 4,096 elsewhere' },
    image: { type: 'object', required: ['url'], properties: { url: string, caption: string } },
    client_ref: { type: 'string', maxLength: 100 },
    webhook_url: { type: 'string', format: 'uri', description: 'Where this message\'s status callbacks go' },
    ttl: { type: 'integer', minimum: 60, maximum: 604800, description: 'Seconds until an undelivered message is rejected (1360)' },
    webhook_version: { type: 'string', description: 'Accepted for compatibility and ignored' },
  },
} as const;

const BATCH = {
  type: ['object', 'null'],
  description: 'Batched delivery (README, "Batched delivery"): up to max_items callbacks in one POST, sent when that many are there or max_wait_ms after the first',
  properties: { max_items: { type: 'integer', minimum: 1, maximum: 1000 }, max_wait_ms: { type: 'integer', minimum: 0, maximum: 10000 } },
} as const;

const ACCOUNT = {
  type: 'object',
  properties: {
    account_id: string,
    name: string,
    api_key: string,
    status_url: { type: ['string', 'null'] },
    status_batch: BATCH,
    email_senders: { type: 'array', items: string },
    email_text_limit: { type: ['integer', 'null'] },
    history_days: { type: ['integer', 'null'], description: 'Finished history is deleted after this many days (RETENTION_DAYS)' },
  },
} as const;

const FORWARDING = {
  type: 'object',
  description: 'The forwarding rules (README, "Forwarding rules"): per section and interface, where status changes go.',
  properties: { enabled: { type: 'boolean' }, sms: object, ott: { type: 'object', properties: { statuses: { type: 'array', items: { type: 'string', enum: [...STATUSES] } } } } },
} as const;

const authed = (tag: string, summary: string, extra: Record<string, unknown> = {}) => ({ tags: [tag], summary, security: BASIC_AUTH, ...extra });

export const ROUTE_DOCS = {
  sendMessage: authed('messages', 'Send a message (with optional failover items)', {
    headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', description: 'Retries with the same key and body get the first answer (24 h)' } } },
    body: { ...MESSAGE_ITEM, properties: { ...MESSAGE_ITEM.properties, failover: { type: 'array', maxItems: 4, items: MESSAGE_ITEM } } },
    response: {
      202: { description: 'Stored; statuses follow as callbacks', type: 'object', properties: { message_uuid: { type: 'string', format: 'uuid' }, workflow_id: string } },
      ...INVALID,
      ...AUTH_ANSWERS,
    },
  }),
  getMessage: authed('messages', 'A message with every status it reached', {
    params: { type: 'object', properties: { uuid: string } },
    response: { 200: { description: 'The message and its statuses', type: 'object' }, ...NOT_FOUND, ...AUTH_ANSWERS },
  }),
  listCallbacks: authed('messages', "A message's callbacks with every attempt", {
    params: { type: 'object', properties: { uuid: string } },
    response: { 200: { description: 'Destination, state and attempts of each callback', type: 'object' }, ...NOT_FOUND, ...AUTH_ANSWERS },
  }),
  getAccount: authed('account', 'The account and its settings', { response: { 200: { description: 'The account', ...ACCOUNT }, ...AUTH_ANSWERS } }),
  patchAccount: authed('account', 'Change status_url, status_batch, email_senders or email_text_limit', {
    body: { type: 'object', properties: { status_url: { type: ['string', 'null'] }, status_batch: BATCH, email_senders: { type: 'array', items: string }, email_text_limit: { type: ['integer', 'null'] } } },
    response: { 200: { description: 'The account as changed', ...ACCOUNT }, ...INVALID, ...AUTH_ANSWERS },
  }),
  rotateSecret: authed('account', 'Issue a new API secret or signature secret (the old signature secret keeps signing for a grace period)', {
    body: { type: 'object', required: ['secret'], properties: { secret: { type: 'string', enum: ['api_secret', 'signature_secret'] }, grace_seconds: { type: 'integer', minimum: 0, maximum: 604800 } } },
    response: { 200: { description: 'The new secret, shown once', type: 'object' }, ...INVALID, ...AUTH_ANSWERS },
  }),
  getForwarding: authed('forwarding', 'The forwarding rules', { response: { 200: { ...FORWARDING, description: 'The rules in force' }, ...AUTH_ANSWERS } }),
  putForwarding: authed('forwarding', 'Replace the forwarding rules', { body: FORWARDING, response: { 200: { ...FORWARDING, description: 'The rules as stored' }, ...INVALID, ...AUTH_ANSWERS } }),
  replayCallback: authed('callbacks', 'Send a finished callback again (same webhook-id)', {
    params: { type: 'object', properties: { id: string } },
    response: { 202: { description: 'Due again', type: 'object', properties: { id: string, state: string } }, 409: { description: 'Still pending or in flight', $ref: 'Problem#' }, ...NOT_FOUND, ...AUTH_ANSWERS },
  }),
  replayDeadLetters: authed('callbacks', 'Replay every dead-lettered callback since a time', {
    body: { type: 'object', required: ['since'], properties: { since: { type: 'string', format: 'date-time' } } },
    response: { 202: { description: 'How many were made due', type: 'object', properties: { replayed: { type: 'integer' } } }, ...INVALID, ...AUTH_ANSWERS },
  }),
  getMedia: {
    tags: ['media'],
    summary: 'An image received by the e-mail interface for WhatsApp, fetched by the provider (the id is the capability)',
    params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{32}$' } } },
    response: { 200: { description: 'The image (image/jpeg or image/png)' }, ...NOT_FOUND },
  },
  metrics: { tags: ['operations'], summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)', response: { 200: { description: 'Prometheus text format' }, 401: { description: 'Token missing or wrong', $ref: 'Problem#' } } },
} as const;

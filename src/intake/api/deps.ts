/** What the REST API's route plugins are given by the composition root. */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import type { Metrics } from '../../ops/metrics.js';
import type { AcceptPort } from '../accept.js';
import type { AddressPolicy } from '../../model/address.js';
import type { MetricsAccess } from './metrics.js';
import type { ApiRateLimit } from './auth.js';

export interface ApiDeps {
  /** Stores and hands on a message (intake/accept.ts). */
  accept: AcceptPort;
  now: () => number;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  bodyLimitBytes: number;
  /** Requests per second per account (429 above it). */
  rateLimit: ApiRateLimit;
  /** Where /metrics is served and whether it needs a token. */
  metricsAccess: MetricsAccess;
  /** How far back history goes (RETENTION_DAYS; 0 = kept for ever), shown by GET /v1/account. */
  retentionDays: number;
  /** Wakes dispatch after a replay made callbacks due. */
  wakeDispatch: () => void;
  /** The destination guard: literal forbidden addresses in callback URLs are refused with 422. */
  addressPolicy?: AddressPolicy;
  /** SQS_ENDPOINT: queue URLs must be on Amazon SQS or on this endpoint's host. */
  sqsEndpoint?: string;
  /** SQS_SHARED_IDENTITY_ACCOUNTS: accounts whose SQS destinations may go without credentials. */
  sqsSharedIdentityAccounts: string[];
  /** Provider webhook routes (carriage/<provider>/webhook.ts), each in its own encapsulated context. */
  providerWebhooks?: FastifyPluginAsync[];
  /** Other customer interfaces served over HTTP (intake/<interface>/routes.ts), each in its own context. */
  customerInterfaces?: FastifyPluginAsync[];
}

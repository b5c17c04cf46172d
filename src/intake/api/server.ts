/**
 * The REST API (Fastify). Routes live in one plugin file per resource; this file wires the
 * shared pieces: problem+json errors, Basic auth, body limit, ops endpoints.
 */
import Fastify, { LogController, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Account, Store } from '../../store/store.js';
import type { Metrics } from '../../ops/metrics.js';
import type { AcceptDeps } from '../accept.js';
import { authenticateBasic } from '../accounts.js';
import { ProblemError, problemErrorHandler, problemNotFoundHandler } from '../../http/problems.js';
import { messageRoutes } from './messages.js';
import { accountRoutes } from './account.js';
import { callbackRoutes } from './callbacks.js';
import { forwardingRoutes } from './forwarding.js';

export interface ApiDeps extends AcceptDeps {
  store: Store;
  metrics: Metrics;
  logger: Logger;
  bodyLimitBytes: number;
  /** Wakes dispatch after a replay made callbacks due. */
  wakeDispatch: () => void;
  /** Provider webhook routes (carriage/<provider>/webhook.ts), each in its own encapsulated context. */
  providerWebhooks?: FastifyPluginAsync[];
}

declare module 'fastify' {
  interface FastifyRequest {
    account: Account;
  }
}

/** preHandler for routes that need an account: answers 401 unless Basic auth matches. */
export function requireAccount(store: Store) {
  return async (request: FastifyRequest) => {
    const account = await authenticateBasic(store, request.headers.authorization);
    if (!account) throw new ProblemError('unauthorized', { detail: 'Send HTTP Basic auth with your api_key and api_secret.' });
    request.account = account;
  };
}

export function buildApi(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One log line per request would dominate the logs at thousands of requests per second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    return503OnClosing: true,
  });
  app.decorateRequest('account', null as unknown as Account);
  app.setErrorHandler(problemErrorHandler());
  app.setNotFoundHandler(problemNotFoundHandler());

  app.get('/healthz', async () => {
    await deps.store.outboxDepth();
    return { status: 'ok' };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.register(messageRoutes(deps));
  app.register(accountRoutes(deps));
  app.register(callbackRoutes(deps));
  app.register(forwardingRoutes(deps));
  for (const webhook of deps.providerWebhooks ?? []) app.register(webhook);
  return app;
}

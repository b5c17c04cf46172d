/**
 * The REST API (Fastify). Routes live in one plugin file per resource; this file wires the
 * shared pieces: problem+json errors, Basic auth, body limit, ops endpoints.
 */
import Fastify, { LogController } from 'fastify';
import type { Account } from '../../store/store.js';
import { problemErrorHandler, problemNotFoundHandler } from '../../http/problems.js';
import { problemClientErrorHandler, problemFrameworkErrors } from '../../http/raw-errors.js';
import type { ApiDeps } from './deps.js';
import { messageRoutes } from './messages.js';
import { accountRoutes } from './account.js';
import { callbackRoutes } from './callbacks.js';
import { forwardingRoutes } from './forwarding.js';
import { mediaRoutes } from './media.js';
import { metricsRoute } from './metrics.js';
import { documentApi } from './openapi.js';

export function buildApi(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One log line per request would dominate the logs at thousands of requests per second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    return503OnClosing: true,
    // Errors before routing answer in problem+json too (src/http/raw-errors.ts).
    frameworkErrors: problemFrameworkErrors,
    clientErrorHandler: problemClientErrorHandler,
  });
  // The API reads JSON only: text/plain is 415, not a string that fails validation with 422.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('account', null as unknown as Account);
  app.setErrorHandler(problemErrorHandler());
  app.setNotFoundHandler(problemNotFoundHandler());

  // First: it documents every route registered after it (openapi.ts).
  documentApi(app);
  app.register(async (ops) => {
    ops.get('/healthz', { schema: { tags: ['operations'], summary: 'Health: the store answers' } }, async () => {
      // A cheap read (one index entry): counting the outbox would take 100 ms+ behind a backlog of a million.
      await deps.store.nextDueAt();
      return { status: 'ok' };
    });
  });
  if (!deps.metricsAccess.ownPort) app.register(metricsRoute(deps.metrics.registry, deps.metricsAccess.token));

  app.register(messageRoutes(deps));
  app.register(accountRoutes(deps));
  app.register(callbackRoutes(deps));
  app.register(forwardingRoutes(deps));
  app.register(mediaRoutes(deps));
  for (const webhook of deps.providerWebhooks ?? []) app.register(webhook);
  for (const routes of deps.customerInterfaces ?? []) app.register(routes);
  return app;
}

/**
 * GET /metrics (Prometheus). With METRICS_TOKEN it needs `Authorization: Bearer <token>`; with
 * METRICS_PORT it is served on its own listener (metricsServer) and not on the API's port.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { ProblemError, problemErrorHandler, problemNotFoundHandler } from '../../http/problems.js';
import { ROUTE_DOCS } from './route-docs.js';
import { schemasDocumentOnly } from './openapi.js';

export interface MetricsAccess {
  /** Served on METRICS_PORT instead of the API's port. */
  ownPort: boolean;
  token?: string;
}

/** Compared as digests: equal length, so the comparison takes the same time for any guess. */
const digest = (value: string) => createHash('sha256').update(value).digest();

export function metricsRoute(registry: Registry, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  return async function routes(app: FastifyInstance) {
    app.get('/metrics', { schema: ROUTE_DOCS.metrics }, async (request, reply) => {
      if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
        throw new ProblemError('unauthorized', { detail: 'Send Authorization: Bearer <METRICS_TOKEN>.' });
      }
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  };
}

/** The listener of METRICS_PORT: /metrics alone. */
export function metricsServer(registry: Registry, token: string | undefined) {
  const app = Fastify();
  schemasDocumentOnly(app);
  app.setErrorHandler(problemErrorHandler());
  app.setNotFoundHandler(problemNotFoundHandler());
  app.register(metricsRoute(registry, token));
  return app;
}

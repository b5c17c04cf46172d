/**
 * GET /v1/media/:id: images a customer interface received as bytes (an e-mail attachment for
 * WhatsApp), fetched by the provider from the URL in the message. No credentials: the provider
 * has none of ours, so the 128-bit random id is the capability.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { ProblemError } from '../../http/problems.js';
import { ROUTE_DOCS } from './route-docs.js';

const MEDIA_ID = /^[0-9a-f]{32}$/;

export function mediaRoutes(deps: ApiDeps) {
  return async function routes(app: FastifyInstance) {
    app.get('/v1/media/:id', { schema: ROUTE_DOCS.getMedia }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const media = MEDIA_ID.test(id) ? await deps.store.getMedia(id) : undefined;
      if (!media) throw new ProblemError('not-found', { detail: `No media ${id}.` });
      return reply
        .header('content-type', media.content_type)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(media.bytes);
    });
  };
}

/**
 * The legacy XML interface (README, "The legacy XML interface"; docs/websms-legacy.xsd):
 * `POST /legacy/xml` with an <smsSendRequest>, answered with an <smsSendResponse>. The same send
 * fields, codes and delivery reports as the websms REST API; reports default to their XML form.
 */
import type { FastifyInstance } from 'fastify';
import { WEBSMS_CODES } from '../websms/codes.js';
import { authenticateWebsms } from '../websms/auth.js';
import { websmsSend } from '../websms/send.js';
import type { WebsmsDeps } from '../websms/deps.js';
import { LEGACY_XML_LIMITS, parseLegacyRequest, renderLegacyAnswer } from './parse.js';

const XML_CONTENT_TYPE = 'application/xml;charset=UTF-8';

export function legacyXmlRoutes(deps: WebsmsDeps) {
  return async function routes(app: FastifyInstance) {
    // Every body reaches the route as text: whatever its content type, it is parsed here, once.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: LEGACY_XML_LIMITS.maxBytes }, (_request, body, done) => done(null, body));

    app.post('/legacy/xml', { schema: { tags: ['legacy XML'], summary: 'The legacy XML interface: send SMS as an XML document' } }, async (request, reply) => {
      reply.header('content-type', XML_CONTENT_TYPE);
      const account = await authenticateWebsms(deps.store, request.headers.authorization);
      if (!account) {
        return reply.code(401).send(renderLegacyAnswer({ statusCode: WEBSMS_CODES.INVALID_CREDENTIALS, statusMessage: 'invalid credentials' }));
      }
      const parsed = parseLegacyRequest(typeof request.body === 'string' ? request.body : '');
      if (!parsed.ok) {
        return reply.code(200).send(renderLegacyAnswer({ statusCode: WEBSMS_CODES.MALFORMED, statusMessage: `MALFORMED_XML: ${parsed.reason}` }));
      }
      return reply.code(200).send(renderLegacyAnswer(await websmsSend(deps, account, parsed.request, 'legacy_xml')));
    });
  };
}

/**
 * problem+json for the errors that happen before a route runs: a URL Fastify cannot decode
 * (400), a path parameter over the router's limit (414), and what Node's HTTP parser refuses
 * (431 headers too large, 408, other malformed requests: 400). The parser's errors are answered
 * on the raw socket, which is then closed, so the answer says `Connection: close`.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problems.js';

function aboutBlank(status: number, detail: string, instance: string): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Client error', status, detail, instance };
}

/** For Fastify's `frameworkErrors` option. */
export function problemFrameworkErrors(error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const [status, detail] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'A path parameter of the URL is too long.']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'The URL is not validly percent-encoded.']
        : [400, 'The request could not be routed.'];
  void reply.code(status).header('content-type', PROBLEM_CONTENT_TYPE).send(aboutBlank(status, detail, request.id));
}

/** For Fastify's `clientErrorHandler` option (`this` is not used). */
export function problemClientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request line and headers are larger than this server accepts.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive.']
        : [400, 'The request is not valid HTTP.'];
  const body = JSON.stringify(aboutBlank(status, detail, ''));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The suite's cookies: HttpOnly, SameSite=Lax, limited to /suite, Secure when the request came over TLS. */
import type { FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { PREFIX } from './context.js';

/** Behind a TLS-terminating proxy the request itself is plain HTTP; the proxy says so in X-Forwarded-Proto. */
export function overTls(request: FastifyRequest): boolean {
  return request.protocol === 'https' || String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

export function cookieOptions(request: FastifyRequest, maxAgeSeconds?: number): CookieSerializeOptions {
  return {
    path: PREFIX,
    httpOnly: true,
    sameSite: 'lax',
    secure: overTls(request),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/**
 * The Messaging Suite: the customer's web app, server-rendered HTML under /suite/ on the API's
 * Fastify server (the root redirects there). Its own encapsulated context: cookies, form bodies,
 * HTML errors, the session check and CSRF check on every request but sign-in and assets.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { timingSafeEqual } from 'node:crypto';
import type { SuiteDeps } from './deps.js';
import { suiteAssets } from './assets.js';
import { pageKit, formValue, type Form, type PageKit } from './kit.js';
import { html } from './html.js';
import { LANGUAGES, LANGUAGE_COOKIE, pickLanguage } from './i18n/index.js';
import { CSRF_FIELD, CSRF_HEADER, PREFIX, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE, type SuiteContext } from './context.js';
import { cookieOptions } from './cookies.js';
import { tokenHash } from './users.js';
import { signInRoutes } from './pages/sign-in.js';
import { composeRoutes } from './pages/compose.js';
import { sentRoutes } from './pages/sent.js';
import { messageRoutes } from './pages/message.js';
import { forwardingRoutes } from './pages/forwarding.js';
import { deadLetterRoutes } from './pages/dead-letters.js';
import { accountRoutes } from './pages/account.js';
import { overviewRoutes } from './pages/overview.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session (sign-in, assets). */
    public?: boolean;
  }
}

/** Pages may only be framed, scripted and styled by the suite itself. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const sameToken = (given: string, expected: string) => given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

export function suiteRoutes(deps: SuiteDeps) {
  return async function routes(app: FastifyInstance) {
    app.get('/', async (_request, reply) => reply.redirect(`${PREFIX}/`, 302));
    await app.register(suite(deps), { prefix: PREFIX });
  };
}

function suite(deps: SuiteDeps) {
  return async function routes(app: FastifyInstance) {
    await app.register(cookie);
    await app.register(formbody);
    app.decorateRequest('suite', null as unknown as SuiteContext);
    const assets = suiteAssets(PREFIX);
    const kit = pageKit(deps, assets);

    app.addHook('onRequest', async (request, reply) => {
      const query = request.query as Form;
      const lang = formValue(query, 'lang');
      if (request.method === 'GET' && LANGUAGES[lang]) {
        // The language switch: remember the choice, then show the same page without the parameter.
        reply.setCookie(LANGUAGE_COOKIE, lang, { ...cookieOptions(request, 365 * 24 * 3600), httpOnly: false });
        const url = new URL(request.url, 'http://suite');
        url.searchParams.delete('lang');
        return reply.redirect(url.pathname + url.search, 303);
      }
      request.suite = { t: pickLanguage(request.cookies[LANGUAGE_COOKIE], request.headers['accept-language']) };
      const token = request.cookies[SESSION_COOKIE];
      const found = token ? await deps.store.findSuiteSession(tokenHash(token), deps.now()) : undefined;
      const account = found ? await deps.store.getAccount(found.user.account_id) : undefined;
      if (found && account) request.suite = { ...request.suite, ...found, account };
      if (request.routeOptions.config?.public) return;
      if (!request.suite.user) return refuseSignedOut(request, reply);
      // A one-time password from the CLI must be replaced before anything else.
      if (request.suite.user.must_change_password && !request.url.startsWith(`${PREFIX}/account`) && !request.url.startsWith(`${PREFIX}/sign-out`)) {
        return reply.redirect(`${PREFIX}/account`, 303);
      }
    });

    // CSRF: every state-changing request carries the session's token (a form field, or the header htmx sends).
    app.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const given = formValue(request.body as Form, CSRF_FIELD) || String(request.headers[CSRF_HEADER] ?? '');
      const expected = request.suite.session?.csrf_token ?? (request.routeOptions.config?.public ? request.cookies[SIGN_IN_CSRF_COOKIE] : undefined);
      if (!expected || !sameToken(given, expected)) return refuse(kit, request, reply, 403, request.suite.t.formExpired);
    });

    app.addHook('onSend', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });

    app.setNotFoundHandler((request, reply) => {
      request.suite ??= { t: pickLanguage(undefined, request.headers['accept-language']) };
      return refuse(kit, request, reply, 404, request.suite.t.notFoundDetail, request.suite.t.notFound);
    });
    app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      request.suite ??= { t: pickLanguage(undefined, request.headers['accept-language']) };
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, 'suite request failed');
      return refuse(kit, request, reply, status, request.suite.t.somethingFailed);
    });

    app.get('/', async (_request, reply) => reply.redirect(`${PREFIX}/sent`, 303));
    assets.routes(app);
    app.register(signInRoutes(kit));
    app.register(composeRoutes(kit));
    app.register(sentRoutes(kit));
    app.register(messageRoutes(kit));
    app.register(forwardingRoutes(kit));
    app.register(deadLetterRoutes(kit));
    app.register(accountRoutes(kit));
    app.register(overviewRoutes(kit));
  };
}

function refuseSignedOut(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET' && !request.headers['hx-request'] && request.headers.accept !== 'text/event-stream') {
    return reply.redirect(`${PREFIX}/sign-in?next=${encodeURIComponent(request.url)}`, 303);
  }
  return reply.code(401).type('text/plain; charset=utf-8').send(request.suite.t.formExpired);
}

function refuse(kit: PageKit, request: FastifyRequest, reply: FastifyReply, status: number, detail: string, title = detail) {
  return kit.page(request, reply, { title, body: html`<p>${detail}</p>` }, status);
}

/** Sign-in (e-mail and password, slow-down after repeated failures) and sign-out. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../html.js';
import { field } from '../forms.js';
import { checkPassword, newToken, normalizeEmail, startSession, tokenHash, SESSION_MS } from '../users.js';
import { createSignInThrottle } from '../slow-down.js';
import { CSRF_FIELD, PREFIX, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE } from '../context.js';
import { formValue, type Form, type PageKit } from '../kit.js';
import { cookieOptions } from '../cookies.js';

export function signInRoutes(kit: PageKit) {
  const throttle = createSignInThrottle();
  const { store, now } = kit.deps;

  function form(request: FastifyRequest, reply: FastifyReply, state: { email?: string; error?: string; notice?: string }, status = 200) {
    const { t } = request.suite;
    // Before a session exists, the form's CSRF token is a cookie of its own (double submit);
    // kept while it lives, so two open sign-in tabs both work.
    const token = request.cookies[SIGN_IN_CSRF_COOKIE] || newToken();
    reply.setCookie(SIGN_IN_CSRF_COOKIE, token, cookieOptions(request, 60 * 60));
    return kit.page(
      request,
      reply,
      {
        title: t.signIn.title,
        body: html`${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
${state.error ? html`<p class="alert" role="alert" id="sign-in-error">${state.error}</p>` : ''}
<form method="post" action="${PREFIX}/sign-in">
<input type="hidden" name="${CSRF_FIELD}" value="${token}">
<input type="hidden" name="next" value="${safeNext(formValue(request.query as Form, 'next'))}">
${field({ id: 'email', label: t.signIn.email, control: () => html`<input type="email" id="email" name="email" autocomplete="username" required value="${state.email ?? ''}">` })}
${field({ id: 'password', label: t.signIn.password, control: () => html`<input type="password" id="password" name="password" autocomplete="current-password" required>` })}
<button type="submit">${t.signIn.submit}</button>
</form>`,
      },
      status,
    );
  }

  return async function routes(app: FastifyInstance) {
    app.get('/sign-in', { config: { public: true } }, async (request, reply) => {
      if (request.suite.user) return reply.redirect(`${PREFIX}/`, 303);
      const signedOut = formValue(request.query as Form, 'signed-out') === '1';
      return form(request, reply, signedOut ? { notice: request.suite.t.signIn.signedOut } : {});
    });

    app.post('/sign-in', { config: { public: true } }, async (request, reply) => {
      const { t } = request.suite;
      const body = request.body as Form;
      const email = normalizeEmail(formValue(body, 'email'));
      const waitMs = throttle.waitMs(email, now());
      if (waitMs > 0) return form(request, reply, { email, error: t.signIn.slowDown(Math.ceil(waitMs / 1000)) }, 429);
      const user = await checkPassword(store, email, formValue(body, 'password'));
      if (!user) {
        throttle.failed(email, now());
        return form(request, reply, { email, error: t.signIn.wrong }, 401);
      }
      throttle.succeeded(email);
      const { token } = await startSession(store, user, now());
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(request, SESSION_MS / 1000));
      reply.clearCookie(SIGN_IN_CSRF_COOKIE, cookieOptions(request));
      return reply.redirect(user.must_change_password ? `${PREFIX}/account` : safeNext(formValue(body, 'next')), 303);
    });

    app.post('/sign-out', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await store.deleteSuiteSession(tokenHash(token));
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
      return reply.redirect(`${PREFIX}/sign-in?signed-out=1`, 303);
    });
  };
}

/** Only a path inside the suite: never an absolute or protocol-relative URL (open redirect). */
export function safeNext(next: string): string {
  return /^\/suite\/[A-Za-z0-9\-_/?=&.%]*$/.test(next) && !next.startsWith('//') ? next : `${PREFIX}/`;
}

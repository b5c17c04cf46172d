/**
 * Account: the user's password, the account's API key and secret rotation, access tokens
 * (create, revoke), SMPP system_id and registered e-mail senders. Secrets are shown once, on
 * the answer to the request that made them, never stored in clear.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, type Html } from '../html.js';
import { described, field } from '../forms.js';
import { csrfField } from '../layout.js';
import { PREFIX, SESSION_COOKIE, type SignedIn } from '../context.js';
import { formValue, signedIn, type Form, type PageKit } from '../kit.js';
import { utc } from '../format.js';
import { MIN_PASSWORD_LENGTH, tokenHash } from '../users.js';
import { hashPassword, verifyPassword } from '../../passwords.js';
import { DEFAULT_SIGNATURE_GRACE_SECONDS, rotateApiSecret, rotateSignatureSecret } from '../../accounts.js';
import { LABEL_MAX, issueAccessToken } from '../../websms/tokens.js';

interface AccountState {
  notice?: string;
  secret?: { label: string; value: string };
  passwordError?: { field: 'current' | 'new'; reason: string };
}

async function accountPage(kit: PageKit, ctx: SignedIn, state: AccountState): Promise<Html> {
  const { t } = ctx;
  const a = t.account;
  const [tokens, smpp] = await Promise.all([kit.deps.store.listAccessTokens(ctx.account.id), kit.deps.store.getSmppCredentialOfAccount(ctx.account.id)]);
  const live = tokens.filter((token) => token.revoked_at === undefined);
  const error = state.passwordError;
  return html`${ctx.user.must_change_password ? html`<p class="alert" role="alert">${a.mustChange}</p>` : ''}
${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
${state.secret ? html`<div class="notice" role="status"><p>${state.secret.label}</p><p class="mono">${state.secret.value}</p></div>` : ''}
<h2>${a.password}</h2>
<form method="post" action="${PREFIX}/account/password" novalidate>${csrfField(ctx)}
<input type="text" name="username" value="${ctx.user.email}" autocomplete="username" hidden>
${field({ id: 'current-password', label: a.currentPassword, error: error?.field === 'current' ? error.reason : undefined, control: (d, i) => html`<input type="password" id="current-password" name="current" autocomplete="current-password"${described(d, i)}>` })}
${field({ id: 'new-password', label: a.newPassword, hint: a.newPasswordHint, error: error?.field === 'new' ? error.reason : undefined, control: (d, i) => html`<input type="password" id="new-password" name="new" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}"${described(d, i)}>` })}
<button type="submit">${a.changePassword}</button>
</form>
<h2>${a.api}</h2>
<dl class="facts"><dt>${a.name}</dt><dd>${ctx.account.name}</dd><dt>${a.apiKey}</dt><dd class="mono">${ctx.account.api_key}</dd></dl>
<form method="post" action="${PREFIX}/account/api-secret">${csrfField(ctx)}<p class="hint" id="rotate-hint">${a.rotateHint}</p><button type="submit" aria-describedby="rotate-hint">${a.rotateApiSecret}</button></form>
<form method="post" action="${PREFIX}/account/signature-secret">${csrfField(ctx)}<p class="hint" id="rotate-signature-hint">${a.rotateSignatureHint}</p><button type="submit" aria-describedby="rotate-signature-hint">${a.rotateSignatureSecret}</button></form>
<p>${a.history(kit.deps.retentionDays > 0 ? kit.deps.retentionDays : null)}</p>
<h2>${a.tokens}</h2>
${live.length > 0
  ? html`<table><thead><tr><th scope="col">${a.tokenLabel}</th><th scope="col">${a.tokenCreated}</th><th scope="col">${a.revoke}</th></tr></thead><tbody>${live.map(
      (token) => html`<tr><td>${token.label ?? token.id}</td><td>${utc(token.created_at)}</td><td><form method="post" action="${PREFIX}/account/tokens/${token.id}/revoke">${csrfField(ctx)}<button class="secondary" type="submit" aria-label="${a.revokeNamed(token.label ?? token.id)}">${a.revoke}</button></form></td></tr>`,
    )}</tbody></table>`
  : html`<p>${a.none}</p>`}
<form method="post" action="${PREFIX}/account/tokens" class="filters">${csrfField(ctx)}
${field({ id: 'token-label', label: a.tokenLabel, control: () => html`<input type="text" id="token-label" name="label" maxlength="${LABEL_MAX}">` })}
<div class="field"><button type="submit">${a.createToken}</button></div>
</form>
<h2>${a.smpp}</h2>
<dl class="facts"><dt>${a.smppSystemId}</dt><dd class="mono">${smpp?.system_id ?? a.none}</dd></dl>
<h2>${a.email}</h2>
<dl class="facts"><dt>${a.emailSenders}</dt><dd>${(ctx.account.email_senders ?? []).length > 0 ? ctx.account.email_senders!.join(', ') : a.none}</dd></dl>`;
}

export function accountRoutes(kit: PageKit) {
  const { store, now } = kit.deps;
  const show = async (request: FastifyRequest, reply: FastifyReply, state: AccountState, status = 200) => {
    const ctx = signedIn(request);
    return kit.page(request, reply, { title: ctx.t.account.title, section: 'account', body: await accountPage(kit, ctx, state) }, status);
  };

  return async function routes(app: FastifyInstance) {
    app.get('/account', async (request, reply) => {
      const query = request.query as Form;
      const t = request.suite.t.account;
      const notice = formValue(query, 'changed') === '1' ? t.passwordChanged : formValue(query, 'revoked') === '1' ? t.revoked : undefined;
      return show(request, reply, notice ? { notice } : {});
    });

    app.post('/account/password', async (request, reply) => {
      const ctx = signedIn(request);
      const body = request.body as Form;
      const t = ctx.t.account;
      if (!(await verifyPassword(formValue(body, 'current'), ctx.user.password_hash))) {
        return show(request, reply, { passwordError: { field: 'current', reason: t.wrongPassword } }, 422);
      }
      const next = formValue(body, 'new');
      if ([...next].length < MIN_PASSWORD_LENGTH) return show(request, reply, { passwordError: { field: 'new', reason: t.tooShort } }, 422);
      // Every other session of the user ends: whoever knew the old password is signed out.
      await store.setSuiteUserPassword(ctx.user.id, await hashPassword(next), false, now(), tokenHash(request.cookies[SESSION_COOKIE]!));
      return reply.redirect(`${PREFIX}/account?changed=1`, 303);
    });

    app.post('/account/api-secret', async (request, reply) => {
      const ctx = signedIn(request);
      const secret = await rotateApiSecret(store, ctx.account);
      return show(request, reply, { secret: { label: ctx.t.account.newApiSecret, value: secret } });
    });

    app.post('/account/signature-secret', async (request, reply) => {
      const ctx = signedIn(request);
      const until = now() + DEFAULT_SIGNATURE_GRACE_SECONDS * 1000;
      const secret = await rotateSignatureSecret(store, ctx.account.id, until);
      return show(request, reply, { secret: { label: ctx.t.account.newSignatureSecret(utc(until)), value: secret } });
    });

    app.post('/account/tokens', async (request, reply) => {
      const ctx = signedIn(request);
      const label = formValue(request.body as Form, 'label').trim().slice(0, LABEL_MAX);
      const { token } = await issueAccessToken(kit.deps, ctx.account.id, label === '' ? undefined : label);
      return show(request, reply, { secret: { label: ctx.t.account.newToken, value: token } });
    });

    app.post<{ Params: { id: string } }>('/account/tokens/:id/revoke', async (request, reply) => {
      const ctx = signedIn(request);
      if (!(await store.revokeAccessToken(ctx.account.id, request.params.id, now()))) return reply.callNotFound();
      return reply.redirect(`${PREFIX}/account?revoked=1`, 303);
    });
  };
}

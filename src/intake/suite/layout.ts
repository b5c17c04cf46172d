/** The page frame: head with the app's own assets, skip link, navigation, session controls. */
import { html, type Html } from './html.js';
import type { SuiteAssets } from './assets.js';
import { CSRF_FIELD, CSRF_HEADER, PREFIX, type SuiteContext } from './context.js';

export type Section = 'compose' | 'sent' | 'forwarding' | 'deadLetters' | 'overview' | 'account';

const NAV: ReadonlyArray<[Section, string]> = [
  ['compose', '/compose'],
  ['sent', '/sent'],
  ['forwarding', '/forwarding'],
  ['deadLetters', '/dead-letters'],
  ['overview', '/overview'],
  ['account', '/account'],
];

export interface PageOptions {
  title: string;
  section?: Section;
  body: Html;
  /** Extra script files (after htmx) for this page only. */
  scripts?: string[];
  styles?: string[];
}

export function csrfField(ctx: SuiteContext): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.session?.csrf_token ?? ''}">`;
}

export function renderPage(ctx: SuiteContext, assets: SuiteAssets, options: PageOptions): string {
  const { t } = ctx;
  const headers = ctx.session ? JSON.stringify({ [CSRF_HEADER]: ctx.session.csrf_token }) : undefined;
  const other = t.otherLanguage;
  const nav = ctx.user
    ? html`<nav aria-label="${t.mainNavigation}"><ul>${NAV.map(
        ([key, path]) => html`<li><a href="${PREFIX + path}"${options.section === key ? html` aria-current="page"` : ''}>${t.nav[key]}</a></li>`,
      )}</ul></nav>`
    : '';
  const session = ctx.user
    ? html`<span>${t.signedInAs(ctx.user.email)}</span>
      <form class="inline" method="post" action="${PREFIX}/sign-out">${csrfField(ctx)}<button class="secondary" type="submit">${t.signOut}</button></form>`
    : '';
  return html`<!doctype html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>${options.title} · ${t.appName}</title>
<link rel="stylesheet" href="${assets.url('suite.css')}">
${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
<script src="${assets.url('htmx.min.js')}" defer></script>
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body${headers ? html` hx-headers="${headers}"` : ''}>
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="top">
<span class="brand">${t.appName}</span>
${nav}
<div class="session">${session}<a href="?lang=${other.code}" lang="${other.code}" hreflang="${other.code}">${other.name}</a></div>
</header>
<main id="main">
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>`.text;
}

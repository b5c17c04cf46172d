/** What every page module is given: the dependencies and how to answer with a page. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SuiteDeps } from './deps.js';
import type { SuiteAssets } from './assets.js';
import { renderPage, type PageOptions } from './layout.js';
import type { SignedIn } from './context.js';

export interface PageKit {
  deps: SuiteDeps;
  assets: SuiteAssets;
  /** Answers with a whole page in the request's language. */
  page(request: FastifyRequest, reply: FastifyReply, options: PageOptions, status?: number): FastifyReply;
}

export function pageKit(deps: SuiteDeps, assets: SuiteAssets): PageKit {
  return {
    deps,
    assets,
    page: (request, reply, options, status = 200) =>
      reply.code(status).type('text/html; charset=utf-8').send(renderPage(request.suite, assets, options)),
  };
}

/** The signed-in context of a page route (the auth hook has let only signed-in requests through). */
export const signedIn = (request: FastifyRequest) => request.suite as SignedIn;

export type Form = Record<string, string | string[] | undefined>;

/** One value of a url-encoded form field ('' when absent; the first when repeated). */
export function formValue(form: Form | undefined, name: string): string {
  const value = form?.[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Every value of a repeated form field. */
export function formValues(form: Form | undefined, name: string): string[] {
  const value = form?.[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

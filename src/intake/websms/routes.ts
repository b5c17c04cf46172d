/**
 * The websms REST send API on the same Fastify app as the Messages API (README, "The websms
 * REST API"): `POST /rest/smsmessaging/text` (and `/json/...`), the simple endpoint as GET with
 * query parameters or a form POST. Answers are the websms API's own: HTTP 200 with a statusCode,
 * 401 for bad credentials. Everything here lives in its own encapsulated plugin context, so its
 * form parser and error handling do not touch the other routes.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../store/store.js';
import { WEBSMS_CODES, type WebsmsAnswer } from './codes.js';
import { authenticateWebsms } from './auth.js';
import { websmsSend } from './send.js';
import type { WebsmsDeps } from './deps.js';

export const WEBSMS_CONTENT_TYPE = 'application/json;charset=UTF-8';

const TEXT_PATHS = ['/rest/smsmessaging/text', '/json/smsmessaging/text'];
const SIMPLE_PATHS = ['/rest/smsmessaging/simple', '/json/smsmessaging/simple'];

/** Simple-endpoint parameters that are not strings on the JSON API. */
const BOOLEAN_FIELDS = new Set(['test', 'sendAsFlashSms']);
const INTEGER_FIELDS = new Set(['priority', 'maxSmsPerMessage', 'validityPeriode']);

export function websmsRoutes(deps: WebsmsDeps) {
  return async function routes(app: FastifyInstance) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, formFields(new URLSearchParams(body as string)));
    });
    app.setErrorHandler(websmsErrorHandler);

    const send = (read: (request: FastifyRequest) => unknown) => async (request: FastifyRequest, reply: FastifyReply) => {
      const account = await authenticated(deps, request, reply);
      if (!account) return reply;
      return answer(reply, await websmsSend(deps, account, read(request), 'websms'));
    };
    const text = { tags: ['websms'], summary: 'websms REST API: send a text SMS (JSON); answered with a websms statusCode' };
    const simple = { tags: ['websms'], summary: 'websms REST API: send a text SMS from query or form parameters' };
    for (const path of TEXT_PATHS) app.post(path, { schema: text }, send((request) => request.body));
    for (const path of SIMPLE_PATHS) {
      app.get(path, { schema: simple }, send((request) => simpleRequest(request.query as Record<string, string | string[]>)));
      app.post(path, { schema: simple }, send((request) => simpleRequest((request.body ?? {}) as Record<string, string | string[]>)));
    }
  };
}

/** The account, or undefined after answering 401 with the websms code 4001. */
export async function authenticated(deps: WebsmsDeps, request: FastifyRequest, reply: FastifyReply): Promise<Account | undefined> {
  const account = await authenticateWebsms(deps.store, request.headers.authorization);
  if (!account) {
    reply.code(401).header('www-authenticate', 'Basic realm="websms", Bearer').header('content-type', WEBSMS_CONTENT_TYPE);
    reply.send({ statusCode: WEBSMS_CODES.INVALID_CREDENTIALS, statusMessage: 'invalid credentials' });
  }
  return account;
}

function answer(reply: FastifyReply, body: WebsmsAnswer) {
  return reply.code(200).header('content-type', WEBSMS_CONTENT_TYPE).send(body);
}

/**
 * Unreadable bodies (broken, of a content type the API does not read, too large) are the API's
 * 4000 with the parser's reason, answered with HTTP 200 like every websms answer; everything
 * else goes to the app's handler.
 */
function websmsErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (error.statusCode !== undefined && error.statusCode < 500 && String(error.code ?? '').startsWith('FST_ERR_CTP')) {
    return reply
      .code(200)
      .header('content-type', WEBSMS_CONTENT_TYPE)
      .send({ statusCode: WEBSMS_CODES.MALFORMED, statusMessage: `malformed request: ${error.message}` });
  }
  if (error.statusCode === undefined || error.statusCode >= 500) {
    reply.log.error({ err: error }, 'websms request failed');
    return reply.code(500).header('content-type', WEBSMS_CONTENT_TYPE).send({ statusCode: WEBSMS_CODES.INTERNAL_ERROR, statusMessage: 'internal error' });
  }
  throw error;
}

function formFields(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/**
 * Query or form parameters → the JSON request: recipients repeated or comma-separated, booleans
 * as true/false, integers as digits. A value that does not convert is passed on as text, so the
 * validator refuses it with the field's own code.
 */
export function simpleRequest(params: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    if (key === 'recipientAddressList') {
      out[key] = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
      continue;
    }
    const value = Array.isArray(raw) ? raw[raw.length - 1]! : raw;
    if (BOOLEAN_FIELDS.has(key) && (value === 'true' || value === 'false')) out[key] = value === 'true';
    else if (INTEGER_FIELDS.has(key) && /^-?\d{1,15}$/.test(value)) out[key] = Number(value);
    else out[key] = value;
  }
  return out;
}

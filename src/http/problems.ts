/**
 * API problems (RFC 9457 problem+json), defined once.
 *
 * Every error the REST API returns goes through this catalogue, so a customer always gets the
 * same `type` URL and `title` for the same kind of failure and can branch on `type`.
 * Route handlers throw `ProblemError`; `problemErrorHandler()` turns that, and Fastify's own
 * errors (bad JSON, body too large, schema validation), into a problem response.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

const TYPE_BASE = 'https://statusrelay.dev/problems/';

export const PROBLEMS = Object.freeze({
  'invalid-parameters': { status: 422, type: `${TYPE_BASE}invalid-parameters`, title: 'Invalid parameters' },
  unauthorized: { status: 401, type: `${TYPE_BASE}unauthorized`, title: 'Invalid credentials' },
  'account-disabled': { status: 403, type: `${TYPE_BASE}account-disabled`, title: 'Account disabled' },
  'not-found': { status: 404, type: `${TYPE_BASE}not-found`, title: 'Not found' },
  'payload-too-large': { status: 413, type: `${TYPE_BASE}payload-too-large`, title: 'Payload too large' },
  'malformed-json': { status: 400, type: `${TYPE_BASE}malformed-json`, title: 'Malformed JSON body' },
  'unsupported-media-type': {
    status: 415,
    type: `${TYPE_BASE}unsupported-media-type`,
    title: 'Unsupported media type',
  },
  conflict: { status: 409, type: `${TYPE_BASE}conflict`, title: 'Conflict' },
  'too-many-requests': { status: 429, type: `${TYPE_BASE}too-many-requests`, title: 'Too many requests' },
  'provider-not-configured': {
    status: 404,
    type: `${TYPE_BASE}provider-not-configured`,
    title: 'Provider not configured',
  },
  internal: { status: 500, type: `${TYPE_BASE}internal`, title: 'Internal error' },
} as const);

export type ProblemKind = keyof typeof PROBLEMS;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface InvalidParameter {
  name: string;
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  invalid_parameters?: InvalidParameter[];
}

export interface ProblemOptions {
  detail: string;
  instance: string;
  invalid_parameters?: InvalidParameter[];
}

export function problem(kind: ProblemKind, options: ProblemOptions): Problem {
  const { status, type, title } = PROBLEMS[kind];
  const body: Problem = { type, title, status, detail: options.detail, instance: options.instance };
  if (options.invalid_parameters) body.invalid_parameters = options.invalid_parameters;
  return body;
}

/**
 * Thrown by route handlers. `instance` may be left out: the error handler fills in the
 * request id, which the thrower usually does not have at hand.
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  /** Lets Fastify's default handler pick the right status even without ours installed. */
  readonly statusCode: number;
  readonly problem: Problem;

  constructor(kind: ProblemKind, options: Omit<ProblemOptions, 'instance'> & { instance?: string }) {
    super(options.detail);
    this.name = 'ProblemError';
    this.kind = kind;
    this.statusCode = PROBLEMS[kind].status;
    this.problem = problem(kind, { ...options, instance: options.instance ?? '' });
  }
}

/** Fastify's error codes that have a catalogue entry of their own. */
const FASTIFY_CODES: Readonly<Record<string, ProblemKind>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
};

/** Other 4xx statuses with a catalogue entry; 400 is left out because malformed-json is too specific. */
const BY_STATUS: Readonly<Record<number, ProblemKind>> = {
  401: 'unauthorized',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
};

interface AjvError {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
  message?: string;
}

/** '/failover/0/to' -> 'failover[0].to', the same names validateMessageRequest uses. */
function jsonPointerToName(pointer: string, child?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let name = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) name += `[${part}]`;
    else name += name === '' ? part : `.${part}`;
  }
  return name;
}

function fromAjv(errors: readonly AjvError[]): InvalidParameter[] {
  return errors.map((e) => ({
    name: jsonPointerToName(e.instancePath ?? '', e.params?.missingProperty ?? e.params?.additionalProperty),
    reason: e.message ?? 'is invalid',
  }));
}

type ErrorLike = Partial<FastifyError> & { validation?: readonly AjvError[] };

/** Maps any thrown value to the problem sent back. Exposed for tests and non-HTTP callers. */
export function toProblem(error: unknown, instance: string): Problem {
  if (error instanceof ProblemError) return { ...error.problem, instance: error.problem.instance || instance };

  const err = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;

  if (Array.isArray(err.validation)) {
    return problem('invalid-parameters', {
      detail: 'The request has invalid parameters.',
      instance,
      invalid_parameters: fromAjv(err.validation),
    });
  }
  const known = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined;
  if (known) return problem(known, { detail: err.message ?? PROBLEMS[known].title, instance });
  // Custom content-type parsers surface JSON.parse failures as a bare SyntaxError.
  if (error instanceof SyntaxError && status === 400) {
    return problem('malformed-json', { detail: 'The request body is not valid JSON.', instance });
  }
  if (status >= 400 && status < 500) {
    const kind = BY_STATUS[status];
    if (kind) return problem(kind, { detail: err.message ?? PROBLEMS[kind].title, instance });
    // No catalogue entry: RFC 9457's about:blank, titled with the HTTP reason phrase.
    return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Client error', status, detail: err.message ?? '', instance };
  }
  // Never echo the message or stack of an unexpected error: it may name internals.
  return problem('internal', { detail: 'An unexpected error occurred.', instance });
}

function send(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

/** For `app.setErrorHandler(problemErrorHandler())`. */
export function problemErrorHandler() {
  return function handleProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const body = toProblem(error, request.id);
    if (body.status >= 500) request.log.error({ err: error }, 'unhandled error in request');
    return send(reply, body);
  };
}

/** For `app.setNotFoundHandler(problemNotFoundHandler())`, so unknown routes answer in the same shape. */
export function problemNotFoundHandler() {
  return function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    return send(reply, problem('not-found', { detail: `No route for ${request.method} ${request.url}.`, instance: request.id }));
  };
}

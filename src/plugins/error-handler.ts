import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../errors.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

export function problem(status: number, code: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `urn:liftoff:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

export function sendProblem(
  reply: FastifyReply,
  p: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(p.status)
    .headers(headers)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(p));
}

const fieldPath = (context: string | undefined, instancePath: string): string => {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (path) return path;
  return context === 'body' ? 'body' : (context ?? 'request');
};

/** SQLSTATE of a statement cancelled by statement_timeout (the analytics pool's limit). */
const QUERY_CANCELED = '57014';

/** Maps every error to RFC 9457 problem+json; only unexpected errors are 500, with details logged, not sent. */
function toProblem(
  err: FastifyError,
  request: FastifyRequest,
): { problem: Problem; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    return { problem: problem(err.statusCode, err.code, err.message, err.errors), headers: err.headers };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({
      path: fieldPath(err.validationContext, v.instancePath),
      message: v.message ?? 'is invalid',
    }));
    const where = err.validationContext ?? 'request';
    return {
      problem: problem(
        400,
        'validation_failed',
        `Invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        errors,
      ),
    };
  }
  if (isDatabaseUnavailable(err)) {
    request.log.warn({ err }, 'database unavailable');
    return {
      problem: problem(503, 'service_unavailable', 'The database is unavailable; retry shortly.'),
      headers: { 'retry-after': '5' },
    };
  }
  if (err.code === QUERY_CANCELED) {
    request.log.warn({ code: err.code }, 'analytics query timed out');
    return {
      problem: problem(
        503,
        'service_unavailable',
        'The query took longer than this service allows (ANALYTICS_TIMEOUT_MS); retry later or ask for a smaller window.',
      ),
      headers: { 'retry-after': '30' },
    };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        problem: problem(413, 'payload_too_large', 'The request body is larger than this endpoint accepts.', [
          { path: request.routeOptions.config.bodyName ?? 'body', message: err.message },
        ]),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: problem(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json.'),
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        problem: problem(400, 'validation_failed', `Malformed body: ${err.message}`, [
          { path: 'body', message: err.message },
        ]),
      };
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
    return {
      problem: problem(400, 'validation_failed', `Malformed JSON body: ${err.message}`, [
        { path: 'body', message: err.message },
      ]),
    };
  }
  const status = err.statusCode ?? 500;
  if (status === 429) {
    return { problem: problem(429, 'rate_limited', err.message) };
  }
  if (status >= 400 && status < 500) {
    return { problem: problem(status, status === 404 ? 'not_found' : 'bad_request', err.message) };
  }
  return { problem: problem(500, 'internal_error', 'An unexpected error occurred; it has been logged.') };
}

/** What a client error logs at info: its code and the fields it names, never the detail (it quotes ids). */
const rejected = (p: Problem) => ({ code: p.code, status: p.status, fields: p.errors?.map((e) => e.path) });

/**
 * Errors Fastify raises before routing (a bad percent-encoding, an over-long path parameter): problem+json like
 * every other answer, instead of Fastify's own body.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const p =
    err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(400, 'validation_failed', `Invalid path: ${err.message}`, [
          { path: 'path', message: err.message },
        ])
      : toProblem(err, request).problem;
  request.log.info(rejected(p), 'request rejected');
  sendProblem(reply, p);
}

export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const { problem: p, headers } = toProblem(err, request);
      if (p.status >= 500 && p.status !== 503) request.log.error({ err }, 'request failed');
      else request.log.info(rejected(p), 'request rejected');
      return sendProblem(reply, p, headers);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        problem(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
      ),
    );
  },
  { name: 'error-handler' },
);

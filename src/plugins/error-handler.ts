import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

/** A problem+json body for a registered code; `status` only when a framework error carries its own 4xx. */
export function problem(
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
  status: number = ERROR_CODES[code].status,
): Problem {
  return {
    type: `urn:liftoff:problem:${code}`,
    title: ERROR_CODES[code].title,
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
    return { problem: problem(err.code, err.message, err.errors), headers: err.headers };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({
      path: fieldPath(err.validationContext, v.instancePath),
      message: v.message ?? 'is invalid',
    }));
    const where = err.validationContext ?? 'request';
    return {
      problem: problem(
        'validation_failed',
        `Invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        errors,
      ),
    };
  }
  if (isDatabaseUnavailable(err)) {
    request.log.warn({ err }, 'database unavailable');
    return {
      problem: problem('service_unavailable', 'The database is unavailable; retry shortly.'),
      headers: { 'retry-after': '5' },
    };
  }
  if (err.code === QUERY_CANCELED) {
    request.log.warn({ code: err.code }, 'analytics query timed out');
    return {
      problem: problem(
        'service_unavailable',
        'The query took longer than this service allows (ANALYTICS_TIMEOUT_MS); retry later or ask for a smaller window.',
      ),
      headers: { 'retry-after': '30' },
    };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        problem: problem('payload_too_large', 'The request body is larger than this endpoint accepts.', [
          { path: request.routeOptions.config.bodyName ?? 'body', message: err.message },
        ]),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: problem('unsupported_media_type', 'Send JSON with Content-Type: application/json.'),
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        problem: problem('validation_failed', `Malformed body: ${err.message}`, [
          { path: 'body', message: err.message },
        ]),
      };
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
    return {
      problem: problem('validation_failed', `Malformed JSON body: ${err.message}`, [
        { path: 'body', message: err.message },
      ]),
    };
  }
  const status = err.statusCode ?? 500;
  const byStatus: Partial<Record<number, ErrorCode>> = {
    404: 'not_found',
    405: 'method_not_allowed',
    406: 'not_acceptable',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'rate_limited',
  };
  if (status >= 400 && status < 500) {
    return { problem: problem(byStatus[status] ?? 'bad_request', err.message, undefined, status) };
  }
  return { problem: problem('internal_error', 'An unexpected error occurred; it has been logged.') };
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
      ? problem('validation_failed', `Invalid path: ${err.message}`, [{ path: 'path', message: err.message }])
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
      sendProblem(reply, problem('not_found', `No route ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'error-handler' },
);

export interface FieldError {
  path: string;
  message: string;
}

/**
 * Every problem code the service answers with: its HTTP status and the problem type's title. One registry, so a
 * code always means the same status everywhere, and README/OpenAPI list the same set.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'Invalid request' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'No such route' },
  experiment_not_found: { status: 404, title: 'Experiment not found' },
  user_not_found: { status: 404, title: 'User not found' },
  invite_not_found: { status: 404, title: 'Invite not found' },
  holdout_not_found: { status: 404, title: 'Holdout not found' },
  alert_not_found: { status: 404, title: 'Alert rule not found' },
  bandit_not_found: { status: 404, title: 'Not a bandit experiment' },
  report_not_found: { status: 404, title: 'Report not found' },
  report_run_not_found: { status: 404, title: 'Report run not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  not_acceptable: { status: 406, title: 'Not acceptable' },
  experiment_exists: { status: 409, title: 'Experiment exists' },
  experiment_not_draft: { status: 409, title: 'Experiment is not a draft' },
  invalid_transition: { status: 409, title: 'Invalid status transition' },
  experiment_not_running: { status: 409, title: 'Experiment not running' },
  namespace_overlap: { status: 409, title: 'Namespace ranges overlap' },
  namespace_exists: { status: 409, title: 'Namespace exists' },
  holdout_exists: { status: 409, title: 'Holdout exists' },
  variant_mismatch: { status: 409, title: 'Variant mismatch' },
  not_assigned: { status: 409, title: 'User not assigned' },
  invite_conflict: { status: 409, title: 'Invite conflict' },
  already_converted: { status: 409, title: 'Invite already converted' },
  user_exists: { status: 409, title: 'User exists' },
  event_conflict: { status: 409, title: 'Event conflict' },
  alert_disabled: { status: 409, title: 'Alert rule disabled' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  self_referral: { status: 422, title: 'Self-referral' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;

/** An error a client can cause: a registered code, which fixes its HTTP status. */
export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = statusOf(code);
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], message?: string) {
    super('validation_failed', message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
}

/** Raised when the database cannot be reached: clients get 503 with Retry-After and may retry safely. */
export class UnavailableError extends AppError {
  constructor(message = 'The database is unavailable; retry shortly.') {
    super('service_unavailable', message, undefined, { 'retry-after': '5' });
  }
}

export const fieldError = (path: string, message: string): ValidationError =>
  new ValidationError([{ path, message }]);

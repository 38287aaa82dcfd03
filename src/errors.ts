export interface FieldError {
  path: string;
  message: string;
}

/** An error a client can cause: it carries the HTTP status and a stable snake_case code. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], message?: string) {
    super(
      400,
      'validation_failed',
      message ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    );
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** Raised when the database cannot be reached: clients get 503 with Retry-After and may retry safely. */
export class UnavailableError extends AppError {
  constructor(message = 'The database is unavailable; retry shortly.') {
    super(503, 'service_unavailable', message, undefined, { 'retry-after': '5' });
  }
}

export const fieldError = (path: string, message: string): ValidationError =>
  new ValidationError([{ path, message }]);

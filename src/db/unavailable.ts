// Errors meaning "the database cannot be reached right now" (not "your query is wrong"): answered 503.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATE_UNAVAILABLE = /^(08|57P0[1-3]|53300)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (NETWORK_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  return /Connection terminated|Timeout acquiring a connection|connection is closed|Client has encountered a connection error/i.test(
    message,
  );
}

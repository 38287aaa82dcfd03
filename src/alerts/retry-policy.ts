/** Waits after the 1st, 2nd, … failed attempt (seconds): about 5 s, 30 s, 2 min, 10 min, then 1 h. */
const BACKOFF_SECONDS = [5, 30, 120, 600, 3600] as const;
const MAX_RETRY_AFTER_SECONDS = 3600;

export type Outcome = 'succeeded' | 'retry' | 'failed' | 'gone';

/** 2xx delivered; 410 gone (disable the channel); 429, 5xx and network errors retried; other codes failed. */
export function classify(statusCode: number | null, smtp = false): Outcome {
  if (statusCode === null) return 'retry';
  if (smtp) return statusCode < 400 ? 'succeeded' : statusCode < 500 ? 'retry' : 'failed';
  if (statusCode >= 200 && statusCode < 300) return 'succeeded';
  if (statusCode === 410) return 'gone';
  if (statusCode === 429 || statusCode >= 500) return 'retry';
  return 'failed';
}

/** Retry-After as seconds or an HTTP date, relative to now; null when absent or unreadable; capped at 1 h. */
export function retryAfterSeconds(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    seconds = Math.max(0, (at - now.getTime()) / 1000);
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/** Jittered backoff (±20 %) after `attempts` failures, never shorter than Retry-After. */
export function nextDelaySeconds(attempts: number, retryAfter: number | null, random: () => number): number {
  const base = BACKOFF_SECONDS[Math.min(attempts, BACKOFF_SECONDS.length) - 1]!;
  const jittered = base * (0.8 + 0.4 * random());
  return Math.max(jittered, retryAfter ?? 0);
}

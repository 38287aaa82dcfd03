import { Cron } from 'croner';
import { fieldError } from '../errors.js';

/** A 5-field cron schedule in an IANA time zone; croner evaluates it (DST gaps and repeats handled as cron does). */
export class Schedule {
  private readonly cron: Cron;

  constructor(
    readonly pattern: string,
    readonly timezone: string,
  ) {
    if (pattern.trim().split(/\s+/).length !== 5)
      throw fieldError(
        'schedule',
        'must be a 5-field cron expression: minute hour day-of-month month day-of-week',
      );
    try {
      // paused: the schedule is only evaluated here, never run by croner's own timers.
      this.cron = new Cron(pattern.trim(), { timezone, mode: '5-part', paused: true });
    } catch (err) {
      throw fieldError('schedule', `is not a valid cron expression (${(err as Error).message})`);
    }
    if (this.cron.nextRun(new Date()) === null) throw fieldError('schedule', 'never occurs');
  }

  /** The first occurrence strictly after `after`. */
  next(after: Date): Date | null {
    return this.cron.nextRun(after);
  }

  /**
   * The occurrences due at `now` when `nextRunAt` was the first not yet run: the latest one (run once) and how many
   * earlier ones it stands for (missed while no instance ran; counted up to `cap`).
   */
  due(nextRunAt: Date, now: Date, cap = 10_000): { latest: Date; skipped: number } | null {
    if (nextRunAt > now) return null;
    let latest = nextRunAt;
    let skipped = 0;
    for (let t = this.cron.nextRun(nextRunAt); t && t <= now; t = this.cron.nextRun(t)) {
      latest = t;
      if (++skipped >= cap) {
        // previousRuns excludes the reference itself: ask from a second later and keep the first at or before now.
        latest = this.cron.previousRuns(2, new Date(now.getTime() + 1000)).find((r) => r <= now) ?? t;
        break;
      }
    }
    return { latest, skipped };
  }
}

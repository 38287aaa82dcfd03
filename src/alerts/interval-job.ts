import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/knex.js';
import { withLeaderLock } from './leader-lock.js';

/**
 * Runs `work` every intervalMs on whichever instance holds the job's advisory lock. stop() cancels the next
 * run and waits for the current one, so a shutdown never cuts a run in half.
 */
export class IntervalJob {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<boolean> | null = null;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly db: Database,
    private readonly lockKey: number,
    private readonly intervalMs: number,
    private readonly work: () => Promise<void>,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.stopped = false;
    this.arm();
  }

  /** One run now, under the lock; false when another instance holds it. */
  runOnce(): Promise<boolean> {
    this.current = withLeaderLock(this.db, this.lockKey, this.work).finally(() => {
      this.current = null;
    });
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => false);
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runOnce()
        .catch((err: unknown) => this.log.error({ err, job: this.name }, 'background job failed'))
        .finally(() => {
          if (!this.stopped) this.arm();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}

import type { FastifyBaseLogger } from 'fastify';
import type { ChannelStore } from './channel-store.js';
import type { Delivery, DeliveryStore } from './delivery-store.js';
import { classify, nextDelaySeconds, retryAfterSeconds } from './retry-policy.js';
import type { Senders } from './senders.js';
import type { Clock } from './types.js';

export interface WorkerOptions {
  maxAttempts: number;
  timeoutMs: number;
  random?: () => number;
}

/** A claim outlives the longest attempt, so a crashed instance's delivery is taken over (and retried) later. */
const LEASE_MS = 60_000;
const BATCH = 20;
const MAX_SLEEP_MS = 30_000;

/**
 * Drains the durable queue: claims due deliveries, sends them, records every attempt, schedules retries.
 * Wakes when this instance queues something, when the next retry is due, and at least every 30 s (for rows
 * queued by other instances); stop() waits for attempts in flight, so a shutdown loses none.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly store: DeliveryStore,
    private readonly channels: ChannelStore,
    private readonly senders: Senders,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.senders.close();
  }

  /** Resolves when the drain in progress (if any) has recorded its attempts. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Runs a drain now (or right after the one in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.log.error({ err }, 'delivery worker failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    void this.store.nextDue().then(
      (due) => {
        if (this.stopped) return;
        const wait = due ? Math.max(0, due.getTime() - this.clock.now().getTime()) : MAX_SLEEP_MS;
        this.timer = setTimeout(() => this.kick(), Math.min(wait, MAX_SLEEP_MS) + 10);
        this.timer.unref();
      },
      (err: unknown) => this.log.error({ err }, 'delivery worker could not read the queue'),
    );
  }

  /** Sends everything due now; returns the number of attempts made. Tests call it directly. */
  async processDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const now = this.clock.now();
      const batch = await this.store.claim(now, new Date(now.getTime() + LEASE_MS), BATCH);
      if (batch.length === 0) return attempts;
      await Promise.all(batch.map((d) => this.attempt(d)));
      attempts += batch.length;
      if (this.stopped) return attempts;
    }
  }

  private async drain(): Promise<void> {
    await this.processDue();
  }

  private async attempt(d: Delivery): Promise<void> {
    const channel = await this.channels.byId(d.channelId);
    const at = this.clock.now();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let retryAfter: string | null = null;
    let smtp = false;
    if (!channel || channel.disabledAt) {
      error = 'channel disabled';
    } else {
      try {
        const r = await this.senders.send(channel, d, at);
        statusCode = r.statusCode;
        retryAfter = r.retryAfter;
        smtp = r.smtp ?? false;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    const durationMs = performance.now() - started;
    const outcome = !channel || channel.disabledAt ? 'failed' : classify(error ? null : statusCode, smtp);
    const attempts = d.attempts + 1;
    const refused = error?.startsWith('refused:') ?? false;
    let next: { status: 'pending' | 'succeeded' | 'failed'; nextAttemptAt: Date | null };
    if (outcome === 'succeeded') next = { status: 'succeeded', nextAttemptAt: null };
    else if (outcome === 'retry' && !refused && attempts < this.opts.maxAttempts) {
      const delay = nextDelaySeconds(
        attempts,
        retryAfterSeconds(retryAfter, at),
        this.opts.random ?? Math.random,
      );
      next = { status: 'pending', nextAttemptAt: new Date(at.getTime() + delay * 1000) };
    } else next = { status: 'failed', nextAttemptAt: null };
    if (outcome === 'gone' && channel) await this.channels.disable(channel.id, '410 Gone', at);
    if (statusCode !== null && outcome !== 'succeeded' && !error) error = `HTTP ${statusCode}`;
    await this.store.recordAttempt(d.id, { at, statusCode, error, durationMs }, next);
    this.log.info(
      { delivery: d.id, channel: d.channelId, statusCode, error, attempt: attempts, status: next.status },
      'delivery attempt',
    );
  }
}

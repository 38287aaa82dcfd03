import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { AssignmentService } from '../experiments/assignment-service.js';
import type { ConversionService } from '../experiments/conversion-service.js';
import { applyActivity, applyRevenue } from '../growth/activity-ingest.js';
import { eventType, isValidEvent } from '../schemas/event-check.js';
import { eventSchema, type ViralEvent } from '../schemas/viral.js';
import { applyClicks, applyInvites } from './invites-ingest.js';
import { applyInviteSignups } from './signups-ingest.js';
import { DUPLICATE, type Outcome, STORED, reject } from './types.js';
import { applyFvm, applyUserSignups } from './users-ingest.js';
import type { OutcomeListener } from './viral-service.js';

export interface EventsResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; code: string; detail: string }[];
}

/** The field an issue is about: its path, else the unknown keys, else the event itself (not an object). */
const fieldOf = (i: z.core.$ZodIssue): string =>
  i.path.length > 0 ? i.path.join('.') : i.code === 'unrecognized_keys' ? i.keys.join(', ') : 'event';

/** A 400 rejection whose detail names every invalid field once. */
const invalid = (issues: z.core.$ZodIssue[]) =>
  reject(
    'validation_failed',
    fieldOf(issues[0]!),
    issues.map((i) => `${fieldOf(i)}: ${i.message}`).join('; '),
  );

/** The metrics label of a raw event. */
const typeOf = (raw: unknown): string => eventType(raw) ?? 'unknown';

/** An experiment rule's error as this event's rejection (the batch goes on); anything else fails the batch. */
const rejected = (err: unknown): Outcome => {
  if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
  return reject(err.code, err.errors?.[0]?.path ?? 'event', err.message);
};

/** Users whose exposures one /v1/events call applies at once (bounded: a 5,000-event batch must not flood the pool). */
const EXPOSURE_CONCURRENCY = 64;

const at = (e: { occurredAt?: string | undefined }, now: Date) =>
  e.occurredAt ? new Date(e.occurredAt) : now;

/**
 * POST /v1/events: each event is validated on its own, then the batch is cut into runs of consecutive events of
 * one type and each run is written set-based (one statement per table), which keeps the batch's order across types.
 */
export class EventsService {
  constructor(
    private readonly knex: Knex,
    private readonly assignments: AssignmentService,
    private readonly conversions: ConversionService,
    private readonly listen: OutcomeListener = () => undefined,
    /** REVENUE_CURRENCY: a revenue event naming another currency is rejected. */
    private readonly revenueCurrency = 'USD',
  ) {}

  async apply(raw: unknown[]): Promise<EventsResult> {
    const now = new Date();
    const outcomes: Outcome[] = new Array(raw.length);
    const valid: { index: number; event: ViralEvent }[] = [];
    raw.forEach((r, index) => {
      // The compiled check accepts what zod would accept unchanged; zod sees only the rest (and names the error).
      if (isValidEvent(r)) {
        valid.push({ index, event: r });
        return;
      }
      const parsed = eventSchema.safeParse(r);
      if (parsed.success) valid.push({ index, event: parsed.data });
      else outcomes[index] = invalid(parsed.error.issues);
    });
    for (let start = 0; start < valid.length;) {
      let end = start + 1;
      while (end < valid.length && valid[end]!.event.type === valid[start]!.event.type) end++;
      const run = valid.slice(start, end);
      const results = await this.applyRun(
        run.map((r) => r.event),
        now,
      );
      run.forEach((r, k) => (outcomes[r.index] = results[k]!));
      start = end;
    }
    const result: EventsResult = { accepted: 0, duplicates: 0, rejected: [] };
    const tally = new Map<string, number>();
    outcomes.forEach((o, index) => {
      const type = typeOf(raw[index]);
      const key = `${type}\u0000${o.kind}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (o.kind === 'stored') result.accepted++;
      else if (o.kind === 'duplicate') result.duplicates++;
      else {
        const detail = o.detail.startsWith(`${o.path}: `) ? o.detail : `${o.path}: ${o.detail}`;
        result.rejected.push({ index, code: o.code, detail });
      }
    });
    for (const [key, n] of tally) {
      const [type, kind] = key.split('\u0000') as [string, Outcome['kind']];
      this.listen(type, kind, n);
    }
    return result;
  }

  private async applyRun(events: ViralEvent[], now: Date): Promise<Outcome[]> {
    const type = events[0]!.type;
    // A run holds one type only, so narrowing the whole run by its first event is sound.
    const of = <T extends ViralEvent['type']>(_type: T) => events as Extract<ViralEvent, { type: T }>[];
    switch (type) {
      case 'user_signed_up':
        return applyUserSignups(
          this.knex,
          of('user_signed_up').map((e) => ({ userId: e.userId, at: at(e, now), country: e.country })),
        );
      case 'invite_sent':
        return applyInvites(
          this.knex,
          of('invite_sent').map((e) => ({
            ...e,
            sentAt: at(e, now),
            sentAtGiven: e.occurredAt !== undefined,
          })),
        );
      case 'invite_clicked':
        return applyClicks(
          this.knex,
          of('invite_clicked').map((e) => ({
            inviteId: e.inviteId,
            clickId: e.clickId ?? randomUUID(),
            at: at(e, now),
            visitorId: e.visitorId,
          })),
        );
      case 'invite_signed_up':
        return applyInviteSignups(
          this.knex,
          of('invite_signed_up').map((e) => ({ ...e, at: at(e, now), atGiven: e.occurredAt !== undefined })),
        );
      case 'fvm_reached':
        return applyFvm(
          this.knex,
          of('fvm_reached').map((e) => ({ userId: e.userId, at: at(e, now) })),
        );
      case 'user_active':
        return applyActivity(
          this.knex,
          of('user_active').map((e) => ({ userId: e.userId, at: at(e, now) })),
        );
      case 'revenue':
        return applyRevenue(
          this.knex,
          of('revenue').map((e) => ({ ...e, at: at(e, now), atGiven: e.occurredAt !== undefined })),
          this.revenueCurrency,
        );
      case 'experiment_exposure':
        return this.exposureRun(of('experiment_exposure'), now);
      case 'experiment_conversion':
        return this.conversionRun(of('experiment_conversion'), now);
    }
  }

  /**
   * Exposures go through the assignment service (assignment, holdout and exposure rules live there). First
   * exposures of users this instance knows nothing of are stored by one set-based statement; the rest (users named
   * twice, assigned before, excluded, refused) are applied one by one: events of one user in one experiment in
   * their order, different users concurrently, sharing group-committed statements.
   */
  private async exposureRun(
    events: Extract<ViralEvent, { type: 'experiment_exposure' }>[],
    now: Date,
  ): Promise<Outcome[]> {
    const out: Outcome[] = new Array(events.length);
    const first = await this.assignments.exposeFirst(
      events.map((e) => ({
        experimentKey: e.experimentKey,
        userId: e.userId,
        at: at(e, now),
        expectVariant: e.variant,
      })),
    );
    const chains = new Map<string, number[]>();
    events.forEach((e, i) => {
      const stored = first[i];
      if (stored !== undefined) {
        out[i] = stored ? STORED : DUPLICATE;
        return;
      }
      const key = `${e.experimentKey}\u0000${e.userId}`;
      const chain = chains.get(key);
      if (chain) chain.push(i);
      else chains.set(key, [i]);
    });
    const one = async (e: (typeof events)[number]): Promise<Outcome> => {
      try {
        const [a] = await this.assignments.assign(e.userId, [e.experimentKey], {
          exposeAt: at(e, now),
          expectVariant: e.variant,
        });
        if (a!.reason === 'unknown_experiment')
          return reject('experiment_not_found', 'experimentKey', `No experiment "${e.experimentKey}".`);
        return a!.exposureChanged ? STORED : DUPLICATE;
      } catch (err) {
        return rejected(err);
      }
    };
    const queue = [...chains.values()];
    const worker = async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) {
        for (const i of chain) out[i] = await one(events[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXPOSURE_CONCURRENCY, queue.length) }, worker));
    return out;
  }

  /** Conversions of a run in one statement, under the single conversion call's rules. */
  private async conversionRun(
    events: Extract<ViralEvent, { type: 'experiment_conversion' }>[],
    now: Date,
  ): Promise<Outcome[]> {
    const results = await this.conversions.recordMany(
      events.map((e) => ({ ...e, key: e.experimentKey, occurredAt: at(e, now) })),
    );
    return results.map((r) => (r instanceof AppError ? rejected(r) : r.recorded ? STORED : DUPLICATE));
  }
}

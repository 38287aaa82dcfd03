import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import type { AssignmentService } from '../experiments/assignment-service.js';
import type { ConversionService } from '../experiments/conversion-service.js';
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
  ) {}

  async apply(raw: Record<string, unknown>[]): Promise<EventsResult> {
    const now = new Date();
    const outcomes: Outcome[] = new Array(raw.length);
    const valid: { index: number; event: ViralEvent }[] = [];
    raw.forEach((r, index) => {
      const parsed = eventSchema.safeParse(r);
      if (parsed.success) valid.push({ index, event: parsed.data });
      else {
        const detail = parsed.error.issues
          .map((i) => `${i.path.join('.') || 'event'}: ${i.message}`)
          .join('; ');
        outcomes[index] = reject(
          400,
          'validation_failed',
          parsed.error.issues[0]?.path.join('.') ?? 'type',
          detail,
        );
      }
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
      const type = typeof raw[index]?.type === 'string' ? (raw[index]!.type as string) : 'unknown';
      const key = `${type}\u0000${o.kind}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (o.kind === 'stored') result.accepted++;
      else if (o.kind === 'duplicate') result.duplicates++;
      else result.rejected.push({ index, code: o.code, detail: `${o.path}: ${o.detail}` });
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
          of('user_signed_up').map((e) => ({ userId: e.userId, at: at(e, now) })),
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
          })),
        );
      case 'invite_signed_up':
        return applyInviteSignups(
          this.knex,
          of('invite_signed_up').map((e) => ({ ...e, at: at(e, now) })),
        );
      case 'fvm_reached':
        return applyFvm(
          this.knex,
          of('fvm_reached').map((e) => ({ userId: e.userId, at: at(e, now) })),
        );
      case 'experiment_exposure':
      case 'experiment_conversion':
        return this.experimentEvents(events, now);
    }
  }

  /** Experiment events go through the experiment services one by one (their rules live there). */
  private async experimentEvents(events: ViralEvent[], now: Date): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const e of events) {
      try {
        if (e.type === 'experiment_exposure') {
          const [a] = await this.assignments.assign(e.userId, [e.experimentKey], {
            exposeAt: at(e, now),
            expectVariant: e.variant,
          });
          if (a!.reason === 'unknown_experiment') {
            out.push(
              reject(404, 'experiment_not_found', 'experimentKey', `No experiment "${e.experimentKey}".`),
            );
          } else out.push(a!.firstExposure ? STORED : DUPLICATE);
        } else if (e.type === 'experiment_conversion') {
          const r = await this.conversions.record(e.experimentKey, { ...e, occurredAt: at(e, now) });
          out.push(r.recorded ? STORED : DUPLICATE);
        }
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
        out.push(reject(err.statusCode, err.code, err.errors?.[0]?.path ?? 'event', err.message));
      }
    }
    return out;
  }
}

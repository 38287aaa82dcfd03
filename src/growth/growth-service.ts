import type { Knex } from 'knex';
import { type Outcome, raise } from '../viral/types.js';
import type { OutcomeListener } from '../viral/viral-service.js';
import { applyActivity, applyRevenue, revenueById } from './activity-ingest.js';

/** The single activity and revenue calls: each is a batch of one through the same set-based code as /v1/events. */
export class GrowthService {
  constructor(
    private readonly knex: Knex,
    private readonly currency: string,
    private readonly listen: OutcomeListener = () => undefined,
  ) {}

  private settle(type: string, o: Outcome): boolean {
    this.listen(type, o.kind);
    raise(o);
    return o.kind === 'stored';
  }

  async activity(userId: string, at = new Date()) {
    const [o] = await applyActivity(this.knex, [{ userId, at }]);
    return { userId, occurredAt: at, created: this.settle('user_active', o!) };
  }

  async revenue(
    userId: string,
    input: { eventId: string; amount: number; currency?: string | undefined; occurredAt?: Date | undefined },
  ) {
    const [o] = await applyRevenue(
      this.knex,
      [{ ...input, userId, at: input.occurredAt ?? new Date(), atGiven: input.occurredAt !== undefined }],
      this.currency,
    );
    const created = this.settle('revenue', o!);
    const row = (await revenueById(this.knex, [input.eventId])).get(input.eventId)!;
    return {
      eventId: row.event_id,
      userId: row.user_id,
      amount: Number(row.amount),
      currency: row.currency,
      occurredAt: row.occurred_at,
      created,
    };
  }
}

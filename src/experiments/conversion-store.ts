import type { Knex } from 'knex';

export interface NewConversion {
  experimentId: number;
  metric: string;
  userId: string;
  eventId: string | null;
  value: number | null;
  occurredAt: Date;
}

export class ConversionStore {
  constructor(private readonly knex: Knex) {}

  /** Inserts unless the (experiment, metric, user, eventId) exists; true when a row was stored. */
  async insert(c: NewConversion): Promise<boolean> {
    const rows = await this.knex('conversions')
      .insert({
        experiment_id: c.experimentId,
        metric: c.metric,
        user_id: c.userId,
        event_id: c.eventId ?? '',
        value: c.value,
        occurred_at: c.occurredAt,
      })
      .onConflict(['experiment_id', 'metric', 'user_id', 'event_id'])
      .ignore()
      .returning('user_id');
    return rows.length > 0;
  }
}

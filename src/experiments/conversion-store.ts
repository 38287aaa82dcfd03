import type { Knex } from 'knex';
import { namedStatement } from '../db/prepared.js';
import { APPLY_COUNTED } from './result-aggregates.js';

export interface NewConversion {
  experimentId: number;
  metric: string;
  userId: string;
  eventId: string | null;
  value: number | null;
  occurredAt: Date;
}

/** What became of one conversion: stored, a duplicate of a stored one, or refused for want of an assignment. */
export type ConversionOutcome = 'stored' | 'duplicate' | 'not_assigned';

const key = (...parts: (string | number)[]) => parts.join('\u0000');

/** The conversion batch statement, prepared: its aggregate CTEs cost as much to plan as to run for 100 rows. */
const insertConversions = namedStatement<{
  experiment_id: number;
  metric: string | null;
  user_id: string;
  event_id: string | null;
}>(
  'liftoff_conversions_insert',
  `WITH x AS (
     SELECT * FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::numeric[], ?::timestamptz[])
            WITH ORDINALITY AS x(experiment_id, metric, user_id, event_id, value, occurred_at, i)
   ), a AS MATERIALIZED (
     SELECT a.experiment_id, a.user_id, a.variant, a.exposed_at, a.holdout_id
       FROM assignments a JOIN (SELECT DISTINCT experiment_id, user_id FROM x) k USING (experiment_id, user_id)
      ORDER BY a.experiment_id, a.user_id
        FOR SHARE OF a
   ), ins AS (
     INSERT INTO conversions (experiment_id, metric, user_id, event_id, value, occurred_at)
     SELECT x.experiment_id, x.metric, x.user_id, x.event_id, x.value, x.occurred_at
       FROM x WHERE (x.experiment_id, x.user_id) IN (SELECT experiment_id, user_id FROM a)
      ORDER BY x.experiment_id, x.metric, x.user_id, x.event_id, x.i
     ON CONFLICT DO NOTHING
     RETURNING experiment_id, metric, user_id, event_id, value, occurred_at
   ), counted AS (
     SELECT ins.experiment_id, ins.metric, ins.user_id, a.variant, count(*)::int AS n,
            count(ins.value)::int AS v, coalesce(sum(ins.value), 0) AS s, min(ins.occurred_at) AS first_at
       FROM ins JOIN a USING (experiment_id, user_id)
      WHERE ins.occurred_at >= a.exposed_at AND a.holdout_id IS NULL
      GROUP BY ins.experiment_id, ins.metric, ins.user_id, a.variant
   ), ${APPLY_COUNTED}
   SELECT experiment_id, metric, user_id, event_id FROM ins
   UNION ALL
   SELECT experiment_id, NULL, user_id, NULL FROM a`,
);

export class ConversionStore {
  constructor(private readonly knex: Knex) {}

  /** Inserts unless the (experiment, metric, user, eventId) exists. */
  async insert(c: NewConversion): Promise<ConversionOutcome> {
    const [outcome] = await this.insertMany([c]);
    return outcome!;
  }

  /**
   * One statement for many conversions: each is stored when its user is assigned and its (experiment, metric,
   * user, eventId) is new (the first of a batch wins), and those at or after the user's first exposure count in
   * the result aggregates at once. The assignments are share-locked first, in key order, so an exposure moving
   * concurrently either committed before (its exposure time is read here) or waits and recounts after.
   */
  async insertMany(list: NewConversion[]): Promise<ConversionOutcome[]> {
    const rows = await insertConversions(this.knex, [
      list.map((c) => c.experimentId) as unknown as Knex.Value,
      list.map((c) => c.metric),
      list.map((c) => c.userId),
      list.map((c) => c.eventId ?? ''),
      list.map((c) => c.value) as unknown as Knex.Value,
      list.map((c) => c.occurredAt.toISOString()),
    ]);
    const assigned = new Set<string>();
    const stored = new Set<string>();
    for (const r of rows) {
      if (r.metric === null) assigned.add(key(r.experiment_id, r.user_id));
      else stored.add(key(r.experiment_id, r.metric, r.user_id, r.event_id!));
    }
    return list.map((c) => {
      if (!assigned.has(key(c.experimentId, c.userId))) return 'not_assigned';
      const k = key(c.experimentId, c.metric, c.userId, c.eventId ?? '');
      // Only the first of a batch's repeats was stored.
      return stored.delete(k) ? 'stored' : 'duplicate';
    });
  }
}

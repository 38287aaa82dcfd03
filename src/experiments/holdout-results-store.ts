import type { Knex } from 'knex';

/** One group's outcome: `users` measured from each user's first assignment in the covered experiments. */
export interface GroupAggregate {
  variant: 'holdout' | 'treated';
  users: number;
  converted: number;
  valueSum: number;
  valued: number;
  valueVariance: number | null;
  invites?: number;
  /** retention_d7 and ltv: members whose window has not elapsed yet (not in `users`). */
  pending?: number;
}

/**
 * The two groups of a holdout: `holdout` = users it holds out; `treated` = users in a non-control variant of a
 * covered experiment and held out by no holdout. `since` is the user's first assignment among those rows.
 */
const MEMBERS = `
  covered AS (
    SELECT e.id, e.control_variant FROM experiments e JOIN holdouts h ON h.id = :id
     WHERE h.all_experiments
        OR EXISTS (SELECT 1 FROM holdout_experiments he WHERE he.holdout_id = h.id AND he.experiment_id = e.id)
  ), held_any AS (
    SELECT DISTINCT user_id FROM assignments WHERE holdout_id IS NOT NULL
  ), members AS (
    SELECT 'holdout' AS grp, a.user_id, min(a.assigned_at) AS since
      FROM assignments a WHERE a.holdout_id = :id GROUP BY a.user_id
    UNION ALL
    SELECT 'treated', a.user_id, min(a.assigned_at)
      FROM assignments a JOIN covered c ON c.id = a.experiment_id
      LEFT JOIN held_any ON held_any.user_id = a.user_id
     WHERE held_any.user_id IS NULL
     GROUP BY a.user_id
    HAVING bool_or(a.variant <> c.control_variant)
  )`;

export class HoldoutResultsStore {
  constructor(private readonly knex: Knex) {}

  /**
   * A conversion metric: per user, the conversions recorded on covered experiments at or after `since`; one event
   * reported to several experiments counts once (one per event id, or one per user without an event id).
   */
  async conversions(holdoutId: number, metric: string): Promise<GroupAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH ${MEMBERS}, conv AS (
         SELECT DISTINCT ON (c.user_id, c.event_id) c.user_id, c.value
           FROM conversions c
           JOIN members m ON m.user_id = c.user_id
           JOIN covered ON covered.id = c.experiment_id
          WHERE c.metric = :metric AND c.occurred_at >= m.since
          ORDER BY c.user_id, c.event_id, c.occurred_at
       ), per_user AS (
         SELECT user_id, sum(value) AS value_sum, count(value) AS valued FROM conv GROUP BY user_id
       )
       SELECT m.grp AS variant, count(*)::int AS users, count(p.user_id)::int AS converted,
              coalesce(sum(p.value_sum), 0)::float8 AS "valueSum", coalesce(sum(p.valued), 0)::int AS valued,
              var_samp(coalesce(p.value_sum, 0))::float8 AS "valueVariance"
         FROM members m LEFT JOIN per_user p ON p.user_id = m.user_id
        GROUP BY m.grp`,
      { id: holdoutId, metric },
    )) as { rows: GroupAggregate[] };
    return rows;
  }

  /**
   * retention_d7 (SPEC §8.7, from `since` instead of the first exposure): users whose [since + 7 d, since + 8 d)
   * has elapsed are eligible (`users`); `converted` = those with an activity in it.
   */
  async retentionD7(holdoutId: number, now: Date): Promise<GroupAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH ${MEMBERS}, per_user AS (
         SELECT m.grp, m.since + interval '8 days' <= :now::timestamptz AS eligible,
                EXISTS (SELECT 1 FROM user_activity ua
                         WHERE ua.user_id = m.user_id AND ua.occurred_at >= m.since + interval '7 days'
                           AND ua.occurred_at < m.since + interval '8 days') AS retained
           FROM members m
       )
       SELECT grp AS variant, (count(*) FILTER (WHERE eligible))::int AS users,
              (count(*) FILTER (WHERE eligible AND retained))::int AS converted,
              (count(*) FILTER (WHERE NOT eligible))::int AS pending,
              0::float8 AS "valueSum", 0 AS valued, NULL::float8 AS "valueVariance"
         FROM per_user GROUP BY grp`,
      { id: holdoutId, now: now.toISOString() },
    )) as { rows: GroupAggregate[] };
    return rows;
  }

  /**
   * ltv (SPEC §8.7, from `since`): per user whose horizon has elapsed (`users`), the net revenue in
   * [since, since + horizon); `converted` = users whose net revenue there is positive.
   */
  async ltv(holdoutId: number, horizonDays: number, now: Date): Promise<GroupAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH ${MEMBERS}, per_user AS (
         SELECT m.grp, m.since + make_interval(days => :h) <= :now::timestamptz AS eligible,
                (SELECT coalesce(sum(r.amount), 0) FROM revenue_events r
                  WHERE r.user_id = m.user_id AND r.occurred_at >= m.since
                    AND r.occurred_at < m.since + make_interval(days => :h)) AS revenue
           FROM members m
       )
       SELECT grp AS variant, (count(*) FILTER (WHERE eligible))::int AS users,
              (count(*) FILTER (WHERE eligible AND revenue > 0))::int AS converted,
              (count(*) FILTER (WHERE NOT eligible))::int AS pending,
              coalesce(sum(revenue) FILTER (WHERE eligible), 0)::float8 AS "valueSum", 1 AS valued,
              (var_samp(revenue) FILTER (WHERE eligible))::float8 AS "valueVariance"
         FROM per_user GROUP BY grp`,
      { id: holdoutId, h: horizonDays, now: now.toISOString() },
    )) as { rows: GroupAggregate[] };
    return rows;
  }

  /** k_factor: per user, signups (within `cw` days of sending) from invites sent at or after `since`. */
  async kFactor(holdoutId: number, cw: number): Promise<GroupAggregate[]> {
    const { rows } = (await this.knex.raw(
      `WITH ${MEMBERS}, per_user AS (
         SELECT m.grp, m.user_id, count(i.invite_id)::int AS invites,
                count(*) FILTER (WHERE i.signed_up_at IS NOT NULL
                                   AND i.signed_up_at <= i.sent_at + make_interval(days => :cw))::int AS signups
           FROM members m
           LEFT JOIN invites i ON i.referrer_id = m.user_id AND i.sent_at >= m.since
          GROUP BY m.grp, m.user_id
       )
       SELECT grp AS variant, count(*)::int AS users, (count(*) FILTER (WHERE signups > 0))::int AS converted,
              coalesce(sum(invites), 0)::int AS invites, coalesce(sum(signups), 0)::float8 AS "valueSum",
              1 AS valued, var_samp(signups)::float8 AS "valueVariance"
         FROM per_user GROUP BY grp`,
      { id: holdoutId, cw },
    )) as { rows: GroupAggregate[] };
    return rows;
  }
}

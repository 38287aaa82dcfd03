import type { Knex } from 'knex';
import type { Window } from '../viral/window.js';
import { DAY, rows, windowParams } from './sql.js';

export type AttributionModel = 'first_touch' | 'last_touch' | 'linear' | 'time_decay' | 'position_based';

export interface AttributionQuery {
  model: AttributionModel;
  lookbackDays: number;
  halfLifeDays: number;
  limit: number;
}

export interface AttributionRows {
  signups: number;
  multiTouchSignups: number;
  bySource: { source: string; credit: number }[];
  byReferrer: { referrerId: string; credit: number }[];
}

/**
 * Every touch of every referred signup of the window with its credit under the model. Touches: one per invite the
 * signup's visitor clicked in [s − lookback, s] (at the visitor's latest such click), plus the converting invite
 * when not among them (at its first click by anyone when not after s, else at s). Ordered by time, then invite id
 * (byte order). Lists rank by credit rounded to 1e−9 (float sums of equal credits differ in the last digits), then
 * id in byte order. Time-decay weights are taken relative to the latest touch, so the largest weight is 1 and the sum
 * never underflows; a weight below 2^−1000 of it is 0 (PostgreSQL raises on float underflow).
 */
const CREDITED = `
  WITH signups AS (
    SELECT user_id, signed_up_at AS s, visitor_id, referred_by_invite AS converting
      FROM users
     WHERE referred_by_invite IS NOT NULL AND signed_up_at >= :from AND signed_up_at < :to
  ), visited AS (
    SELECT sg.user_id, c.invite_id, max(c.occurred_at) AS at
      FROM signups sg JOIN invite_clicks c ON c.visitor_id = sg.visitor_id
       AND c.occurred_at >= sg.s - :lookback * ${DAY} AND c.occurred_at <= sg.s
     GROUP BY sg.user_id, c.invite_id
  ), touches AS (
    SELECT user_id, invite_id, at FROM visited
    UNION ALL
    SELECT sg.user_id, sg.converting,
           CASE WHEN i.first_clicked_at <= sg.s THEN i.first_clicked_at ELSE sg.s END
      FROM signups sg JOIN invites i ON i.invite_id = sg.converting
     WHERE NOT EXISTS (SELECT 1 FROM visited v WHERE v.user_id = sg.user_id AND v.invite_id = sg.converting)
  ), ranked AS (
    SELECT t.user_id, t.invite_id, t.at,
           row_number() OVER (PARTITION BY t.user_id ORDER BY t.at, t.invite_id COLLATE "C") AS pos,
           count(*) OVER (PARTITION BY t.user_id) AS n,
           extract(epoch FROM max(t.at) OVER (PARTITION BY t.user_id) - t.at)::float8 / (:halfLife::float8 * 86400) AS halves
      FROM touches t
  ), weighted AS (
    SELECT r.*, CASE WHEN halves > 1000 THEN 0 ELSE power(2::float8, -halves) END AS w FROM ranked r
  )
  SELECT w.user_id, w.invite_id, w.n,
         CASE :model::text
           WHEN 'first_touch' THEN (w.pos = 1)::int::float8
           WHEN 'last_touch' THEN (w.pos = w.n)::int::float8
           WHEN 'linear' THEN 1::float8 / w.n
           WHEN 'time_decay' THEN w.w / sum(w.w) OVER (PARTITION BY w.user_id)
           ELSE CASE WHEN w.n = 1 THEN 1 WHEN w.n = 2 THEN 0.5 WHEN w.pos = 1 OR w.pos = w.n THEN 0.4
                     ELSE 0.2 / (w.n - 2) END::float8
         END AS credit
    FROM weighted w`;

export class AttributionStore {
  constructor(private readonly knex: Knex) {}

  async attribution(w: Window, q: AttributionQuery): Promise<AttributionRows> {
    const [r] = await rows<AttributionRows>(
      this.knex,
      `WITH credited AS (${CREDITED}),
       per_invite AS (
         SELECT i.source, i.referrer_id, sum(c.credit) AS credit
           FROM credited c JOIN invites i ON i.invite_id = c.invite_id
          WHERE c.credit > 0
          GROUP BY i.source, i.referrer_id
       )
       SELECT (SELECT count(DISTINCT user_id)::int FROM credited) AS signups,
              (SELECT count(DISTINCT user_id)::int FROM credited WHERE n > 1) AS "multiTouchSignups",
              coalesce((SELECT json_agg(json_build_object('source', source, 'credit', credit) ORDER BY rank, source COLLATE "C")
                          FROM (SELECT source, sum(credit) AS credit, -round(sum(credit)::numeric, 9) AS rank
                                  FROM per_invite GROUP BY source) s), '[]') AS "bySource",
              coalesce((SELECT json_agg(json_build_object('referrerId', referrer_id, 'credit', credit)
                                        ORDER BY rank, referrer_id COLLATE "C")
                          FROM (SELECT referrer_id, sum(credit) AS credit, -round(sum(credit)::numeric, 9) AS rank
                                  FROM per_invite GROUP BY referrer_id
                                 ORDER BY rank, referrer_id COLLATE "C" LIMIT :limit) t), '[]') AS "byReferrer"`,
      windowParams(w, {
        model: q.model,
        lookback: q.lookbackDays,
        halfLife: q.halfLifeDays,
        limit: q.limit,
      }),
    );
    return r!;
  }
}

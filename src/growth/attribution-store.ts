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
 * Every touch of every referred signup of the window with its credit under the model, its invite's source and
 * referrer. Touches: one per invite the signup's visitor clicked in [s − lookback, s] (at the visitor's latest such
 * click), plus the converting invite when not among them (at its first click by anyone when not after s, else at s).
 * signup_touches holds them for the longest look-back (kept by the click and signup ingest statements); this query
 * applies the request's. Its key (signed_up_at, user_id, invite_id; ids in byte order) delivers each signup's rows
 * together, so ranking sorts only within a signup. Ordered by time, then invite id (byte order). Lists rank by credit rounded to 1e−9 (float
 * sums of equal credits differ in the last digits), then id in byte order. Time-decay weights are taken relative to
 * the latest touch, so the largest weight is 1 and the sum never underflows; a weight below 2^−1000 of it is 0
 * (PostgreSQL raises on float underflow).
 */
const credited = (model: AttributionModel) => `
  WITH touches AS (
    SELECT user_id, signed_up_at, invite_id, source, referrer_id,
           CASE WHEN clicked_at >= signed_up_at - :lookback * ${DAY} THEN clicked_at
                WHEN converting THEN CASE WHEN first_clicked_at <= signed_up_at THEN first_clicked_at ELSE signed_up_at END
           END AS at
      FROM signup_touches
     WHERE signed_up_at >= :from AND signed_up_at < :to
  ), ranked AS (
    SELECT t.*, row_number() OVER signup AS pos, count(*) OVER signup AS n${
      model === 'time_decay'
        ? `,
           extract(epoch FROM max(t.at) OVER signup - t.at)::float8 / (:halfLife::float8 * 86400) AS halves`
        : ''
    }
      FROM touches t
     WHERE t.at IS NOT NULL
    WINDOW signup AS (PARTITION BY t.signed_up_at, t.user_id ORDER BY t.at, t.invite_id COLLATE "C"
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  )
  SELECT r.source, r.referrer_id, r.pos, r.n, ${CREDIT[model]} AS credit
    FROM ${
      model === 'time_decay'
        ? `(SELECT r.*, CASE WHEN halves > 1000 THEN 0 ELSE power(2::float8, -halves) END AS w FROM ranked r) r`
        : 'ranked r'
    }`;

/** A touch's credit under each model, from its position `pos` among the signup's `n` touches (and weight `w`). */
const CREDIT: Record<AttributionModel, string> = {
  first_touch: '(r.pos = 1)::int::float8',
  last_touch: '(r.pos = r.n)::int::float8',
  linear: '1::float8 / r.n',
  time_decay: 'r.w / sum(r.w) OVER (PARTITION BY r.signed_up_at, r.user_id)',
  position_based: `CASE WHEN r.n = 1 THEN 1 WHEN r.n = 2 THEN 0.5 WHEN r.pos = 1 OR r.pos = r.n THEN 0.4
                        ELSE 0.2 / (r.n - 2) END::float8`,
};

export class AttributionStore {
  constructor(private readonly knex: Knex) {}

  async attribution(w: Window, q: AttributionQuery): Promise<AttributionRows> {
    // One row per signup counts it: its credited touch under first and last touch, so no other row is read.
    const anchor = q.model === 'first_touch' ? 'pos = 1' : 'pos = n';
    const [r] = await rows<AttributionRows>(
      this.knex,
      `WITH credited AS (${credited(q.model)}),
       -- One pass: the totals, and credit per source and per referrer (those with positive credit only).
       grouped AS (
         SELECT GROUPING(source, referrer_id) AS g, source, referrer_id,
                sum(credit) FILTER (WHERE credit > 0) AS credit,
                (count(*) FILTER (WHERE ${anchor}))::int AS signups,
                (count(*) FILTER (WHERE ${anchor} AND n > 1))::int AS multi
           FROM (SELECT source COLLATE "C" AS source, referrer_id COLLATE "C" AS referrer_id, credit, pos, n
                   FROM credited WHERE credit > 0 OR ${anchor}) c
          GROUP BY GROUPING SETS ((), (source), (referrer_id))
       )
       SELECT (SELECT signups FROM grouped WHERE g = 3) AS signups,
              (SELECT multi FROM grouped WHERE g = 3) AS "multiTouchSignups",
              coalesce((SELECT json_agg(json_build_object('source', source, 'credit', credit) ORDER BY rank, source COLLATE "C")
                          FROM (SELECT source, credit, -round(credit::numeric, 9) AS rank
                                  FROM grouped WHERE g = 1 AND credit IS NOT NULL) s), '[]') AS "bySource",
              coalesce((SELECT json_agg(json_build_object('referrerId', referrer_id, 'credit', credit)
                                        ORDER BY rank, referrer_id COLLATE "C")
                          FROM (SELECT referrer_id, credit, -round(credit::numeric, 9) AS rank
                                  FROM grouped WHERE g = 2 AND credit IS NOT NULL
                                 ORDER BY rank, referrer_id COLLATE "C" LIMIT :limit) t), '[]') AS "byReferrer"`,
      windowParams(w, {
        lookback: q.lookbackDays,
        halfLife: q.halfLifeDays,
        limit: q.limit,
      }),
    );
    return r!;
  }
}

import type { Knex } from 'knex';
import type { AttributionQuery, AttributionRows } from '../../src/growth/attribution-store.js';
import type { Window } from '../../src/viral/window.js';

export interface TouchRow {
  user_id: string;
  invite_id: string;
  signed_up_at: Date;
  converting: boolean;
  clicked_at: Date | null;
  first_clicked_at: Date | null;
  source: string;
  referrer_id: string;
}

const DAY = `interval '24 hours'`;

/**
 * signup_touches recounted from users, invite_clicks and invites, formulated independently of the ingest statements:
 * for each referred user, every invite that is its converting invite or that its visitor clicked in the 365 days up
 * to the signup.
 */
export async function recountTouches(knex: Knex): Promise<TouchRow[]> {
  const { rows } = (await knex.raw(
    `SELECT u.user_id, i.invite_id, u.signed_up_at, i.invite_id = u.referred_by_invite AS converting,
            (SELECT max(c.occurred_at) FROM invite_clicks c
              WHERE c.invite_id = i.invite_id AND c.visitor_id = u.visitor_id
                AND c.occurred_at BETWEEN u.signed_up_at - 365 * ${DAY} AND u.signed_up_at) AS clicked_at,
            CASE WHEN i.invite_id = u.referred_by_invite
                 THEN (SELECT min(c.occurred_at) FROM invite_clicks c WHERE c.invite_id = i.invite_id) END
              AS first_clicked_at,
            i.source, i.referrer_id
       FROM users u CROSS JOIN invites i
      WHERE u.referred_by_invite IS NOT NULL
        AND (i.invite_id = u.referred_by_invite
             OR EXISTS (SELECT 1 FROM invite_clicks c
                         WHERE c.invite_id = i.invite_id AND c.visitor_id = u.visitor_id
                           AND c.occurred_at BETWEEN u.signed_up_at - 365 * ${DAY} AND u.signed_up_at))
      ORDER BY u.user_id COLLATE "C", i.invite_id COLLATE "C"`,
  )) as { rows: TouchRow[] };
  return rows;
}

export async function storedTouches(knex: Knex): Promise<TouchRow[]> {
  const { rows } = (await knex.raw(
    `SELECT user_id, invite_id, signed_up_at, converting, clicked_at, first_clicked_at, source, referrer_id
       FROM signup_touches ORDER BY user_id COLLATE "C", invite_id COLLATE "C"`,
  )) as { rows: TouchRow[] };
  return rows;
}

/**
 * Attribution (SPEC §8.4) straight from users, invite_clicks and invites: the window's signups joined with their
 * visitors' clicks at request time, as the query did before signup_touches existed.
 */
export async function recountAttribution(
  knex: Knex,
  w: Window,
  q: AttributionQuery,
): Promise<AttributionRows> {
  const { rows } = (await knex.raw(
    `WITH signups AS (
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
     ), credited AS (
       SELECT w.user_id, w.invite_id, w.n,
              CASE :model::text
                WHEN 'first_touch' THEN (w.pos = 1)::int::float8
                WHEN 'last_touch' THEN (w.pos = w.n)::int::float8
                WHEN 'linear' THEN 1::float8 / w.n
                WHEN 'time_decay' THEN w.w / sum(w.w) OVER (PARTITION BY w.user_id)
                ELSE CASE WHEN w.n = 1 THEN 1 WHEN w.n = 2 THEN 0.5 WHEN w.pos = 1 OR w.pos = w.n THEN 0.4
                          ELSE 0.2 / (w.n - 2) END::float8
              END AS credit
         FROM weighted w
     ), per_invite AS (
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
    {
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      model: q.model,
      lookback: q.lookbackDays,
      halfLife: q.halfLifeDays,
      limit: q.limit,
    },
  )) as { rows: AttributionRows[] };
  return rows[0]!;
}

// Set-based data sets for the query benchmarks (generate_series, bounded by the row counts given).
import type { Knex } from 'knex';
import { rebuildSignupTouches } from '../src/viral/signup-touches.js';
import { rebuildActivityPeriods } from '../src/growth/activity-periods.js';
import { SOURCE_OF } from '../src/growth/sql.js';

const BUCKET = (ts: string) => `date_bin('15 minutes', ${ts}, timestamptz '2000-01-01 00:00:00+00')`;

/**
 * An experiment's history: `exposures` users exposed over the 30 days before now (a few assigned but never
 * exposed), 10 % (control) and 12 % (variant_a) converting within 3 days of exposure, a third of those also with a
 * revenue event; then the result aggregates derived from those rows exactly as the ingest statements keep them.
 */
export async function seedExperiment(db: Knex, experimentId: number, exposures: number): Promise<void> {
  await db.raw(
    `INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at)
     SELECT ?, 'u' || g, CASE WHEN g % 2 = 0 THEN 'control' ELSE 'variant_a' END, t.at,
            CASE WHEN g % 50 <> 0 THEN t.at END
       FROM generate_series(1, ?) g, LATERAL (SELECT now() - (g::float8 / ?) * interval '30 days' AS at) t`,
    [experimentId, exposures, exposures],
  );
  await db.raw(
    `INSERT INTO conversions (experiment_id, metric, user_id, value, occurred_at)
     SELECT ?, m.metric, a.user_id, m.value, a.exposed_at + (hashint4(g) & 255) * interval '15 minutes'
       FROM assignments a, LATERAL (SELECT substr(a.user_id, 2)::int AS g) u,
            LATERAL (VALUES ('conversion', NULL::numeric), ('revenue', (hashint4(u.g) & 1023) / 10.0)) m(metric, value)
      WHERE a.experiment_id = ? AND a.exposed_at IS NOT NULL
        AND abs(hashint4(u.g * 7)) % 100 < CASE WHEN a.variant = 'control' THEN 10 ELSE 12 END
        AND (m.metric = 'conversion' OR u.g % 3 = 0)
        AND a.exposed_at + (hashint4(u.g) & 255) * interval '15 minutes' < now()`,
    [experimentId, experimentId],
  );
  for (const sql of [
    `INSERT INTO result_user_metrics (experiment_id, metric, user_id, variant, counted, valued, value_sum, first_at)
     SELECT c.experiment_id, c.metric, c.user_id, a.variant, count(*), count(c.value), coalesce(sum(c.value), 0),
            min(c.occurred_at)
       FROM conversions c JOIN assignments a ON a.experiment_id = c.experiment_id AND a.user_id = c.user_id
      WHERE c.experiment_id = :id AND c.occurred_at >= a.exposed_at
      GROUP BY c.experiment_id, c.metric, c.user_id, a.variant`,
    `INSERT INTO result_variant_counts (experiment_id, variant, shard, assigned, exposed)
     SELECT experiment_id, variant, 0, count(*), count(exposed_at) FROM assignments WHERE experiment_id = :id
      GROUP BY experiment_id, variant`,
    `INSERT INTO result_metric_counts (experiment_id, variant, metric, shard, converted, valued, value_sum, value_sumsq)
     SELECT experiment_id, variant, metric, 0, count(*), sum(valued), sum(value_sum), sum(value_sum * value_sum)
       FROM result_user_metrics WHERE experiment_id = :id GROUP BY experiment_id, variant, metric`,
    `INSERT INTO result_exposure_buckets (experiment_id, variant, bucket, shard, exposed)
     SELECT experiment_id, variant, ${BUCKET('exposed_at')}, 0, count(*) FROM assignments
      WHERE experiment_id = :id AND exposed_at IS NOT NULL GROUP BY 1, 2, 3`,
    `INSERT INTO result_conversion_buckets (experiment_id, variant, metric, bucket, shard, converted)
     SELECT experiment_id, variant, metric, ${BUCKET('first_at')}, 0, count(*) FROM result_user_metrics
      WHERE experiment_id = :id GROUP BY 1, 2, 3, 4`,
  ]) {
    await db.raw(sql, { id: experimentId });
  }
}

/** The bench entry of a bandit's results: the same experiment turned into a bandit with 10 weight periods. */
export const BANDIT = 'results (bandit, 10 periods)';

/** Makes the seeded experiment a bandit whose weights moved every 3 days over its 30 days (results reweight). */
export async function asBandit(db: Knex, experimentId: number): Promise<void> {
  await db.raw(
    `UPDATE experiments SET type = 'bandit', bandit_period = 9, bandit_weights = '[0.2, 0.8]',
            bandit = '{"explorationHours": 0, "updateEveryMinutes": 60, "minWeight": 0.01, "minUsersPerVariant": 100}'
      WHERE id = ?`,
    [experimentId],
  );
  await db.raw(
    `INSERT INTO bandit_periods (experiment_id, period, started_at, weights, p_best, counts, seed)
     SELECT ?, p, now() - (30 - 3 * p) * interval '1 day', jsonb_build_array(0.5 - p / 30.0, 0.5 + p / 30.0),
            '[0.5, 0.5]', '[]', p
       FROM generate_series(1, 9) p`,
    [experimentId],
  );
}

/** Country weights (per cent) of the bench's users; the remaining 3 % have no country. */
const COUNTRIES: [string, number][] = [
  ['US', 25],
  ['IN', 12],
  ['BR', 9],
  ['GB', 7],
  ['DE', 6],
  ['FR', 5],
  ['JP', 4],
  ['MX', 4],
  ['ID', 4],
  ['CA', 3],
  ['ES', 3],
  ['IT', 3],
  ['NG', 2],
  ['PH', 2],
  ['TR', 2],
  ['KR', 2],
  ['AU', 1],
  ['PL', 1],
  ['NL', 1],
  ['SE', 1],
];
const COUNTRY_SLOTS = COUNTRIES.flatMap(([c, w]) => Array<string>(w).fill(c));
/** The country drawn by an integer hash (NULL for 3 in 100). */
const country = (hash: string) =>
  `(ARRAY[${COUNTRY_SLOTS.map((c) => `'${c}'`).join(',')}]::text[])[1 + abs(${hash}) % 100]`;
/**
 * A referrer's country, drawn from the referrer's id: seedGrowth gives it to the referrer's user (and to 70 % of their
 * invitees), and seedInvites copies it onto the referrer's invites as the invite statement would.
 */
const REFERRER_COUNTRY = country('hashtext(referrer_id)');
/**
 * A referrer's signup time, 0–72 h before `firstSent` (their first invite's send time): seedGrowth gives it to the
 * referrer's user, and seedInvites copies it onto the referrer's invites as the invite statement would.
 */
const REFERRER_SIGNED_UP_AT = (firstSent: string) =>
  `${firstSent} - (abs(hashtext(referrer_id)) % 4320) * interval '1 minute'`;
/** A uniform draw in [0, 1) from an integer hash. */
const unit = (hash: string) => `((${hash} & 2147483647) / 2147483648.0)::float8`;

/**
 * Invites over 120 days: many referrers with a few invites each and a long tail of heavy ones (referrer index
 * M·u³ for u uniform, so the busiest referrer sends about 1 % of all invites), 30 % clicked, one in seven signing
 * up 0–7 days after sending (if that is already past).
 */
export async function seedInvites(db: Knex, invites: number): Promise<void> {
  // Each invite's predecessor send times (what RECOMPUTE_INVITE_PREDECESSORS derives) and its referrer's country (the
  // one seedGrowth gives the referrer's user, who signs up before the first invite) come from the same statement,
  // and rows go in in send-time order, as ingest leaves them: updating 10 M stored rows afterwards took half an hour
  // and left the covering index at twice its size. The bench's database holds no other invites.
  await db.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, first_clicked_at, signup_user_id, signed_up_at,
                          prev_sent_at, prev_source_sent_at, referrer_known, referrer_country, referrer_signed_up_at)
     SELECT *, lag(sent_at) OVER (PARTITION BY referrer_id ORDER BY sent_at, invite_id COLLATE "C"),
            lag(sent_at) OVER (PARTITION BY referrer_id, source ORDER BY sent_at, invite_id COLLATE "C"),
            true, ${REFERRER_COUNTRY},
            ${REFERRER_SIGNED_UP_AT('min(sent_at) OVER (PARTITION BY referrer_id ORDER BY sent_at, invite_id COLLATE "C")')}
       FROM (SELECT 'b' || g AS invite_id,
                    'ref' || floor(? * power((abs(hashint4(g)) % 1000000) / 1e6, 3))::bigint AS referrer_id,
                    'loop' || (g % 5) AS source, t.ts AS sent_at,
                    CASE WHEN g % 10 < 3 THEN t.ts + interval '10 minutes' END AS first_clicked_at,
                    CASE WHEN g % 7 = 0 AND t.su < now() THEN 'new' || g END AS signup_user_id,
                    CASE WHEN g % 7 = 0 AND t.su < now() THEN t.su END AS signed_up_at
               FROM generate_series(1, ?) g,
                    LATERAL (SELECT now() - (g::float8 / ?) * interval '120 days' AS ts) s,
                    LATERAL (SELECT s.ts, s.ts + (abs(hashint4(g * 3)) % 10080) * interval '1 minute' AS su) t) x
      ORDER BY sent_at`,
    [Math.max(1, Math.floor(invites / 4)), invites, invites],
  );
}

export interface GrowthSeed {
  users: number;
  activity: number;
  revenue: number;
  clicks: number;
}

/**
 * Users, clicks with visitors, activity and revenue on top of seedInvites' invites (SPEC §8), set-based:
 * - users: every referrer (organic, signed up 0–72 h before their first invite), every invite signup (referred by
 *   it), and invites / 10 organic users who never invite, signed up evenly over the 120 days; countries drawn from
 *   20 weights (3 % unknown), 70 % of invitees in their referrer's country; 80 % of invitees name a visitor.
 * - clicks: each visitor clicked the invite they signed up through, and half of them 1–3 neighbouring invites (other
 *   loops) between that invite's sending and the signup; every other invite clicked in seedInvites gets one click
 *   by a visitor who never signs up.
 * - `rows` activity and revenue rows: 95 % activity, each row drawn for user n = ⌊U·u³⌋ of the users in hash order
 *   (most users active a few times, the busiest thousands of times), at signedUp + (now − signedUp)·w³ (front-loaded,
 *   so retention decays); 5 % revenue for the 10 % of users who pay (payer ⌊P·u²⌋), 4.99–49.99, one in 25 a refund.
 */
export async function seedGrowth(db: Knex, rows: number): Promise<GrowthSeed> {
  const invites = Number(
    (
      (await db.raw(`SELECT count(*)::int AS n FROM invites WHERE invite_id LIKE 'b%'`)) as {
        rows: { n: number }[];
      }
    ).rows[0]!.n,
  );
  await db.raw(
    `INSERT INTO users (user_id, signed_up_at, country)
     SELECT referrer_id, ${REFERRER_SIGNED_UP_AT('min(sent_at)')}, ${REFERRER_COUNTRY}
       FROM invites WHERE referrer_id LIKE 'ref%' GROUP BY referrer_id`,
  );
  await db.raw(
    `INSERT INTO users (user_id, signed_up_at, country)
     SELECT 'org' || g, now() - (g::float8 / ?) * interval '120 days', ${country('hashint4(g * 11)')}
       FROM generate_series(1, ?) g`,
    [Math.max(1, Math.floor(invites / 10)), Math.max(1, Math.floor(invites / 10))],
  );
  await db.raw(
    `INSERT INTO users (user_id, signed_up_at, referred_by_invite, invite_source, country, visitor_id)
     SELECT signup_user_id, signed_up_at, invite_id, source,
            CASE WHEN abs(hashtext(invite_id)) % 10 < 7 THEN ${REFERRER_COUNTRY}
                 ELSE ${country("hashtext(invite_id || 'c')")} END,
            CASE WHEN abs(hashtext(invite_id)) % 10 < 8 THEN 'vis-' || invite_id END
       FROM invites WHERE invite_id LIKE 'b%' AND signup_user_id IS NOT NULL`,
  );
  // The visitor's clicks: the converting invite, and for half of them 1–3 other invites sent just before it.
  await db.raw(
    `INSERT INTO invite_clicks (invite_id, click_id, occurred_at, visitor_id)
     SELECT 'b' || (g + j), 'vc' || g || '-' || j,
            i.sent_at + (u.signed_up_at - i.sent_at) * ${unit('hashint4((g * 13 + j)::int)')}, u.visitor_id
       FROM users u JOIN invites i ON i.invite_id = u.referred_by_invite,
            LATERAL (SELECT substr(i.invite_id, 2)::bigint AS g) x,
            LATERAL generate_series(0, CASE WHEN abs(hashint4(x.g::int * 17)) % 2 = 0 THEN 0
                                            ELSE 1 + abs(hashint4(x.g::int * 19)) % 3 END) j
      WHERE u.visitor_id LIKE 'vis-b%' AND g + j <= ?`,
    [invites],
  );
  await db.raw(
    `INSERT INTO invite_clicks (invite_id, click_id, occurred_at, visitor_id)
     SELECT invite_id, 'ac' || invite_id, first_clicked_at, 'anon-' || invite_id
       FROM invites WHERE invite_id LIKE 'b%' AND first_clicked_at IS NOT NULL`,
  );
  // Rows written directly: the attribution touches the click and signup statements keep are derived from them.
  await rebuildSignupTouches(db);
  const revenue = Math.floor(rows / 20);
  const activity = rows - revenue;
  await db.transaction(async (tx) => {
    await tx.raw(`SET LOCAL work_mem = '256MB'`);
    await tx.raw(
      `CREATE TEMP TABLE bench_users ON COMMIT DROP AS
       SELECT (row_number() OVER (ORDER BY hashtext(user_id), user_id) - 1)::int AS n, user_id, signed_up_at
         FROM users WHERE user_id ~ '^(ref|new|org)'`,
    );
    await tx.raw(`ALTER TABLE bench_users ADD PRIMARY KEY (n)`);
    await tx.raw(
      `CREATE TEMP TABLE bench_payers ON COMMIT DROP AS
       SELECT (row_number() OVER (ORDER BY b.n) - 1)::int AS n, b.user_id, b.signed_up_at,
              ${SOURCE_OF('u')} AS source
         FROM bench_users b JOIN users u USING (user_id) WHERE abs(hashtext(b.user_id)) % 10 = 0`,
    );
    await tx.raw(`ALTER TABLE bench_payers ADD PRIMARY KEY (n)`);
    await tx.raw(`ANALYZE bench_users, bench_payers`);
    // The activity's times are distinct per user but for hash coincidences, which ON CONFLICT drops.
    await tx.raw(
      `INSERT INTO user_activity (user_id, occurred_at)
       SELECT u.user_id, u.signed_up_at + (now() - u.signed_up_at) * power(${unit('hashint4(g * 5)')}, 3)
         FROM generate_series(1, ?) g
         JOIN bench_users u
           ON u.n = floor((SELECT count(*) FROM bench_users) * power(${unit('hashint4(g)')}, 3))::int
       ORDER BY 1, 2
       ON CONFLICT DO NOTHING`,
      [activity],
    );
    await tx.raw(
      `INSERT INTO revenue_events (event_id, user_id, amount, currency, occurred_at, user_signed_up_at, user_source)
       SELECT 'rev' || g, u.user_id,
              (ARRAY[4.99, 9.99, 19.99, 49.99])[1 + abs(hashint4(g * 3)) % 4] * CASE WHEN g % 25 = 0 THEN -1 ELSE 1 END,
              'USD', u.signed_up_at + (now() - u.signed_up_at) * power(${unit('hashint4(g * 7)')}, 2),
              u.signed_up_at, u.source
         FROM generate_series(1, ?) g
         JOIN bench_payers u
           ON u.n = floor((SELECT count(*) FROM bench_payers) * power(${unit('hashint4(g * 9)')}, 2))::int`,
      [revenue],
    );
  });
  // Retention's per-user periods, which the activity statement keeps, derived from the rows written above.
  await rebuildActivityPeriods(db);
  const count = async (sql: string) => Number(((await db.raw(sql)) as { rows: { n: number }[] }).rows[0]!.n);
  return {
    users: await count(`SELECT count(*)::int AS n FROM users`),
    activity: await count(`SELECT count(*)::int AS n FROM user_activity`),
    revenue: await count(`SELECT count(*)::int AS n FROM revenue_events`),
    clicks: await count(`SELECT count(*)::int AS n FROM invite_clicks WHERE visitor_id IS NOT NULL`),
  };
}

/**
 * An onboarding experiment over the growth users: everyone who signed up in the 60 days before now is assigned and
 * exposed a minute after signing up, half to each variant; the aggregates the ingest statements keep are derived
 * from those rows.
 */
export async function seedGrowthExperiment(db: Knex, experimentId: number): Promise<number> {
  await db.raw(
    `INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at)
     SELECT ?, user_id, CASE WHEN abs(hashtext(user_id)) % 2 = 0 THEN 'control' ELSE 'variant_a' END,
            signed_up_at + interval '1 minute', signed_up_at + interval '1 minute'
       FROM users WHERE signed_up_at >= now() - interval '60 days' AND signed_up_at < now() - interval '1 minute'
        AND user_id ~ '^(ref|new|org)'`,
    [experimentId],
  );
  for (const sql of [
    `INSERT INTO result_variant_counts (experiment_id, variant, shard, assigned, exposed)
     SELECT experiment_id, variant, 0, count(*), count(exposed_at) FROM assignments WHERE experiment_id = :id
      GROUP BY experiment_id, variant`,
    `INSERT INTO result_exposure_buckets (experiment_id, variant, bucket, shard, exposed)
     SELECT experiment_id, variant, ${BUCKET('exposed_at')}, 0, count(*) FROM assignments
      WHERE experiment_id = :id AND exposed_at IS NOT NULL GROUP BY 1, 2, 3`,
  ]) {
    await db.raw(sql, { id: experimentId });
  }
  return Number(
    (
      (await db.raw(`SELECT count(*)::int AS n FROM assignments WHERE experiment_id = ?`, [
        experimentId,
      ])) as {
        rows: { n: number }[];
      }
    ).rows[0]!.n,
  );
}

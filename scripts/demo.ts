// npm run demo: loads a deterministic synthetic growth data set into the configured database (DATABASE_URL, or
// the embedded one in ./data), so a newcomer sees meaningful metrics at once. Set-based SQL, about 1 minute.
// 50,000 organic users over 120 days; 200,000 invites on four loops with different K; clicks, signups (some
// outside the conversion window), first-value moments, and some fraud (self-referrals, fast conversions, a burst);
// countries, visitors who clicked several invites before signing up, activity and revenue (with refunds); and a
// running experiment judged on retention_d7 (with ltv beside it) whose treatment keeps users a little longer.
import { loadConfig } from '../src/config.js';
import { closeDatabase, createDatabase } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';
import { bucketOf } from '../src/experiments/result-aggregates.js';
import { REBUILD_ACTIVITY_PERIODS } from '../src/growth/activity-periods.js';
import { SOURCE_OF } from '../src/growth/sql.js';
import { RECOMPUTE_INVITE_PREDECESSORS } from '../src/viral/invites-ingest.js';
import { REBUILD_SIGNUP_TOUCHES } from '../src/viral/signup-touches.js';

const USERS = 50_000;
const INVITES = 200_000;
// Invites come from a core of active senders (as in real products), which is what lets K exceed 1.
const SENDERS = 8_000;

// A deterministic pseudo-random number in [0, 1) from a seed string (so every run loads the same data).
const rnd = (seed: string) => `(('x' || substr(md5(${seed}), 1, 8))::bit(32)::bigint / 4294967296.0)`;

const STEPS: [string, string][] = [
  [
    'organic users',
    `INSERT INTO users (user_id, signed_up_at)
     SELECT 'user_' || g, now() - interval '120 days' + (g::float8 / ${USERS}) * interval '119 days'
       FROM generate_series(1, ${USERS}) g ON CONFLICT DO NOTHING`,
  ],
  [
    'invites on four loops',
    // Heavy senders and loops tied to the sender (70 %) make invites per sender, and so K, differ by loop.
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at)
     SELECT 'demo_' || g, u.user_id, (ARRAY['buddy_challenge', 'streak_rescue', 'leaderboard_share', 'gift_card'])[
              1 + CASE WHEN ${rnd("'src' || g")} < 0.7 THEN w.who % 4 ELSE g % 4 END],
            u.signed_up_at + ${rnd("'sent' || g")} * (now() - interval '1 hour' - u.signed_up_at)
       FROM generate_series(1, ${INVITES - 5_000}) g
       CROSS JOIN LATERAL (SELECT 1 + floor(${rnd("'who' || g")} ^ 2 * ${SENDERS})::int AS who) w
       JOIN users u ON u.user_id = 'user_' || w.who
     ON CONFLICT DO NOTHING`,
  ],
  [
    'clicks',
    `INSERT INTO invite_clicks (invite_id, click_id, occurred_at)
     SELECT invite_id, 'c1', sent_at + ${rnd("invite_id || 'ct'")} * interval '3 hours'
       FROM invites
      WHERE invite_id LIKE 'demo_%' AND ${rnd("invite_id || 'click'")} <
            CASE source WHEN 'buddy_challenge' THEN 0.9 WHEN 'streak_rescue' THEN 0.6
                        WHEN 'leaderboard_share' THEN 0.35 ELSE 0.8 END
        AND sent_at + interval '3 hours' < now()
     ON CONFLICT DO NOTHING`,
  ],
  [
    'click counters',
    `UPDATE invites i SET click_count = c.n, first_clicked_at = c.first
       FROM (SELECT invite_id, count(*)::int n, min(occurred_at) first FROM invite_clicks GROUP BY invite_id) c
      WHERE i.invite_id = c.invite_id`,
  ],
  [
    'invite signups',
    `WITH chosen AS (
       SELECT i.invite_id, i.source, 'ref_' || i.invite_id AS user_id,
              coalesce(i.first_clicked_at, i.sent_at) + ${rnd("i.invite_id || 'delay'")} ^ 3 * interval '20 days' AS at
         FROM invites i
        WHERE i.first_clicked_at IS NOT NULL AND ${rnd("i.invite_id || 'signup'")} <
              CASE i.source WHEN 'buddy_challenge' THEN 0.75 WHEN 'streak_rescue' THEN 0.55
                            WHEN 'leaderboard_share' THEN 0.4 ELSE 0.62 END
     ), users_in AS (
       INSERT INTO users (user_id, signed_up_at, referred_by_invite, invite_source)
       SELECT user_id, at, invite_id, source FROM chosen WHERE at < now() ON CONFLICT DO NOTHING RETURNING user_id, signed_up_at, referred_by_invite
     )
     UPDATE invites i SET signup_user_id = u.user_id, signed_up_at = u.signed_up_at
       FROM users_in u WHERE i.invite_id = u.referred_by_invite`,
  ],
  [
    'second-generation invites (referred users invite too: the full loop)',
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at)
     SELECT 'demo2_' || row_number() OVER (ORDER BY user_id), user_id,
            (ARRAY['buddy_challenge', 'streak_rescue', 'leaderboard_share', 'gift_card'])[1 + floor(${rnd("user_id || 'loop'")} * 4)::int],
            signed_up_at + ${rnd("user_id || 'again'")} * (now() - signed_up_at)
       FROM users WHERE referred_by_invite LIKE 'demo_%' AND ${rnd("user_id || 'inviter'")} < 0.5
      LIMIT 5000
     ON CONFLICT DO NOTHING`,
  ],
  [
    'second-generation clicks and signups (recent users bring users too, so the forecast has a K)',
    `WITH chosen AS (
       SELECT invite_id, source, 'ref_' || invite_id AS user_id, sent_at + interval '30 minutes' AS clicked_at,
              sent_at + interval '30 minutes' + ${rnd("invite_id || 'delay2'")} ^ 3 * interval '10 days' AS at
         FROM invites WHERE invite_id LIKE 'demo2_%' AND ${rnd("invite_id || 'signup2'")} < 0.55
          AND sent_at + interval '30 minutes' < now()
     ), clicks AS (
       INSERT INTO invite_clicks (invite_id, click_id, occurred_at)
       SELECT invite_id, 'c1', clicked_at FROM chosen ON CONFLICT DO NOTHING
     ), users_in AS (
       INSERT INTO users (user_id, signed_up_at, referred_by_invite, invite_source)
       SELECT user_id, at, invite_id, source FROM chosen WHERE at < now() ON CONFLICT DO NOTHING
       RETURNING user_id, signed_up_at, referred_by_invite
     )
     UPDATE invites i SET click_count = 1, first_clicked_at = c.clicked_at,
                          signup_user_id = coalesce(u.user_id, i.signup_user_id),
                          signed_up_at = coalesce(u.signed_up_at, i.signed_up_at)
       FROM chosen c LEFT JOIN users_in u ON u.referred_by_invite = c.invite_id
      WHERE i.invite_id = c.invite_id`,
  ],
  [
    'first-value moments',
    `UPDATE users SET fvm_at = signed_up_at + ${rnd("user_id || 'fvm'")} * interval '48 hours'
      WHERE ${rnd("user_id || 'hasfvm'")} < 0.6 AND signed_up_at + interval '48 hours' < now()`,
  ],
  [
    'fraud: a referrer with a burst of instant signups',
    `WITH inv AS (
       INSERT INTO invites (invite_id, referrer_id, source, sent_at, signup_user_id, signed_up_at)
       SELECT 'fraud_' || g, 'user_42', 'gift_card', now() - interval '2 days' + g * interval '1 minute',
              'bot_' || g, now() - interval '2 days' + g * interval '1 minute' + interval '3 seconds'
         FROM generate_series(1, 30) g ON CONFLICT DO NOTHING RETURNING invite_id, signup_user_id, signed_up_at
     )
     INSERT INTO users (user_id, signed_up_at, referred_by_invite, invite_source)
     SELECT signup_user_id, signed_up_at, invite_id, 'gift_card' FROM inv ON CONFLICT DO NOTHING`,
  ],
  [
    'fraud: self-referral attempts',
    `INSERT INTO self_referral_attempts (invite_id, referrer_id, occurred_at, sent_at)
     SELECT invite_id, referrer_id, sent_at + interval '1 minute', sent_at
       FROM invites WHERE invite_id IN ('demo_7', 'demo_11', 'demo_13', 'demo_17')`,
  ],
  [
    'countries (referred users mostly share their referrer’s)',
    `UPDATE users SET country = (ARRAY['US', 'US', 'US', 'DE', 'DE', 'GB', 'FR', 'BR', 'BR', 'IN', 'IN', 'JP', 'MX'])[
              1 + floor(${rnd("user_id || 'country'")} * 13)::int]
      WHERE ${rnd("user_id || 'known'")} < 0.92`,
  ],
  [
    'countries of referred users',
    `UPDATE users u SET country = r.country
       FROM invites i JOIN users r ON r.user_id = i.referrer_id
      WHERE i.invite_id = u.referred_by_invite AND ${rnd("u.user_id || 'samecountry'")} < 0.7`,
  ],
  [
    'visitors: referred users who clicked other invites before signing up (multi-touch)',
    `WITH v AS (
       UPDATE users SET visitor_id = 'vis_' || user_id
        WHERE referred_by_invite IS NOT NULL AND ${rnd("user_id || 'visitor'")} < 0.7
        RETURNING user_id, visitor_id, signed_up_at, referred_by_invite
     )
     INSERT INTO invite_clicks (invite_id, click_id, occurred_at, visitor_id)
     SELECT v.referred_by_invite, 'vis', i.first_clicked_at, v.visitor_id
       FROM v JOIN invites i ON i.invite_id = v.referred_by_invite WHERE i.first_clicked_at <= v.signed_up_at
     UNION ALL
     SELECT o.invite_id, 'vis_' || t, greatest(o.sent_at, v.signed_up_at - ${rnd('v.user_id || t')} * interval '5 days'),
            v.visitor_id
       FROM v CROSS JOIN generate_series(1, 2) t
       JOIN invites o ON o.invite_id = 'demo_' || (1 + floor(${rnd("v.user_id || 'other' || t")} * ${INVITES - 5_000}))::int
      WHERE ${rnd("v.user_id || 'touches' || t")} < 0.5 AND o.sent_at < v.signed_up_at
     ON CONFLICT DO NOTHING`,
  ],
  [
    'click counters after the visitors’ clicks',
    `UPDATE invites i SET click_count = c.n, first_clicked_at = c.first
       FROM (SELECT invite_id, count(*)::int n, min(occurred_at) first FROM invite_clicks GROUP BY invite_id) c
      WHERE i.invite_id = c.invite_id
        AND i.invite_id IN (SELECT invite_id FROM invite_clicks WHERE visitor_id IS NOT NULL)`,
  ],
  [
    // The demo writes invites directly, so it also derives the predecessor send times that count distinct senders.
    'invite predecessors',
    RECOMPUTE_INVITE_PREDECESSORS,
  ],
  [
    // The demo writes rows directly, so it also derives the attribution touches the ingest statements keep.
    'attribution touches of the referred users',
    REBUILD_SIGNUP_TOUCHES,
  ],
  [
    'activity (decaying with age; buddy_challenge users stay longest)',
    `INSERT INTO user_activity (user_id, occurred_at)
     SELECT u.user_id, u.signed_up_at + (d + ${rnd('u.user_id || d')}) * interval '24 hours'
       FROM users u LEFT JOIN invites i ON i.invite_id = u.referred_by_invite
      CROSS JOIN unnest(ARRAY[0, 1, 2, 3, 7, 8, 14, 21, 28, 35, 42, 49, 56]) d
      WHERE u.signed_up_at + (d + 1) * interval '24 hours' < now()
        AND ${rnd("u.user_id || 'act' || d")} < 0.8 * (d + 1) ^ -0.45 *
            CASE i.source WHEN 'buddy_challenge' THEN 1.25 WHEN 'streak_rescue' THEN 1.1
                          WHEN 'leaderboard_share' THEN 0.8 WHEN 'gift_card' THEN 0.95 ELSE 1 END
     ON CONFLICT DO NOTHING`,
  ],
  [
    'revenue (purchases, some refunded)',
    `INSERT INTO revenue_events (event_id, user_id, amount, currency, occurred_at, user_signed_up_at, user_source)
     SELECT 'rev_' || u.user_id || '_' || n, u.user_id,
            (ARRAY[4.99, 9.99, 29.99])[1 + floor(${rnd("u.user_id || 'amount' || n")} * 3)::int], 'USD',
            u.signed_up_at + ${rnd("u.user_id || 'paid' || n")} ^ 2 * (now() - u.signed_up_at),
            u.signed_up_at, ${SOURCE_OF('u')}
       FROM users u LEFT JOIN invites i ON i.invite_id = u.referred_by_invite
      CROSS JOIN generate_series(1, 3) n
      WHERE ${rnd("u.user_id || 'pays' || n")} <
            CASE i.source WHEN 'gift_card' THEN 0.22 WHEN 'buddy_challenge' THEN 0.16 ELSE 0.1 END / n
     ON CONFLICT DO NOTHING`,
  ],
  [
    'refunds',
    `INSERT INTO revenue_events (event_id, user_id, amount, currency, occurred_at, user_signed_up_at, user_source)
     SELECT event_id || '_refund', user_id, -amount, currency,
            least(occurred_at + ${rnd("event_id || 'late'")} * interval '7 days', now()), user_signed_up_at, user_source
       FROM revenue_events WHERE ${rnd("event_id || 'refund'")} < 0.05
     ON CONFLICT DO NOTHING`,
  ],
  [
    'experiment: streak reminders, judged on day-7 retention',
    `INSERT INTO experiments (key, name, hypothesis, status, variants, control_variant, target_metric, hash_seed,
                              started_at)
     VALUES ('streak_reminders', 'Streak reminders', 'A reminder on day 6 brings users back in their second week',
             'running', '[{"key":"control","weight":50,"description":null},{"key":"reminder","weight":50,"description":"A push on day 6"}]', 'control', 'retention_d7',
             'streak_reminders', now() - interval '60 days')
     ON CONFLICT (key) DO NOTHING`,
  ],
  [
    'experiment: exposures of users who signed up since it started (and the result counters)',
    // The demo writes rows directly, so it also sets the counters the ingest statements keep for results.
    `WITH e AS (SELECT id, started_at FROM experiments WHERE key = 'streak_reminders'),
     a AS (
       INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at)
       SELECT e.id, u.user_id, CASE WHEN ${rnd("u.user_id || 'arm'")} < 0.5 THEN 'control' ELSE 'reminder' END,
              u.signed_up_at + interval '1 minute', u.signed_up_at + interval '2 minutes'
         FROM users u, e
        WHERE u.signed_up_at > e.started_at AND u.signed_up_at < now() - interval '5 minutes'
          AND ${rnd("u.user_id || 'enters'")} < 0.6
       ON CONFLICT DO NOTHING RETURNING experiment_id, variant, exposed_at
     ), counts AS (
       INSERT INTO result_variant_counts AS r (experiment_id, variant, shard, assigned, exposed)
       SELECT experiment_id, variant, 0, count(*), count(exposed_at) FROM a GROUP BY 1, 2
       ON CONFLICT (experiment_id, variant, shard) DO UPDATE
          SET assigned = r.assigned + excluded.assigned, exposed = r.exposed + excluded.exposed
     )
     INSERT INTO result_exposure_buckets AS b (experiment_id, variant, bucket, shard, exposed)
     SELECT experiment_id, variant, ${bucketOf('exposed_at')}, 0, count(*) FROM a GROUP BY 1, 2, 3
     ON CONFLICT (experiment_id, variant, bucket, shard) DO UPDATE SET exposed = b.exposed + excluded.exposed`,
  ],
  [
    'experiment: reminded users come back on day 7 a little more often',
    `INSERT INTO user_activity (user_id, occurred_at)
     SELECT a.user_id, a.exposed_at + (7 + ${rnd("a.user_id || 'remind'")}) * interval '24 hours'
       FROM assignments a JOIN experiments e ON e.id = a.experiment_id AND e.key = 'streak_reminders'
      WHERE a.variant = 'reminder' AND ${rnd("a.user_id || 'reminded'")} < 0.06
        AND a.exposed_at + interval '8 days' < now()
     ON CONFLICT DO NOTHING`,
  ],
  // Activity written above with direct SQL: retention's per-user periods are derived from it, as ingest keeps them.
  ['activity periods', REBUILD_ACTIVITY_PERIODS],
  ['statistics', 'ANALYZE'],
];

const config = loadConfig();
const db = createDatabase(config);
try {
  await migrateLatest(db.knex);
  console.log(`Loading the demo data set into ${db.location}…`);
  for (const [name, sql] of STEPS) {
    const t0 = performance.now();
    await db.knex.raw(sql);
    console.log(`  ${name.padEnd(50)} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const { rows } = (await db.knex.raw(
    `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM invites) AS invites,
            (SELECT count(*)::int FROM invites WHERE signed_up_at IS NOT NULL) AS signups,
            (SELECT count(*)::int FROM invite_clicks) AS clicks,
            (SELECT count(*)::int FROM user_activity) AS activity,
            (SELECT count(*)::int FROM revenue_events) AS revenue`,
  )) as { rows: Record<string, number>[] };
  console.log('Loaded:', rows[0]);
  console.log(
    'Start the service (npm start) and open /docs, or: curl localhost:3000/v1/metrics/summary?days=30 ' +
      '(and /v1/metrics/retention, /ltv, /attribution?model=linear, /geo, /forecast, ' +
      '/v1/experiments/streak_reminders/results, …/results?metric=ltv); the dashboard is at /dashboard',
  );
} finally {
  await closeDatabase(db);
}

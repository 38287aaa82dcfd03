// npm run demo: loads a deterministic synthetic growth data set into the configured database (DATABASE_URL, or
// the embedded one in ./data), so a newcomer sees meaningful metrics at once. Set-based SQL, about 1 minute.
// 50,000 organic users over 120 days; 200,000 invites on four loops with different K; clicks, signups (some
// outside the conversion window), first-value moments, and some fraud (self-referrals, fast conversions, a burst).
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';

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
       SELECT i.invite_id, 'ref_' || i.invite_id AS user_id,
              coalesce(i.first_clicked_at, i.sent_at) + ${rnd("i.invite_id || 'delay'")} ^ 3 * interval '20 days' AS at
         FROM invites i
        WHERE i.first_clicked_at IS NOT NULL AND ${rnd("i.invite_id || 'signup'")} <
              CASE i.source WHEN 'buddy_challenge' THEN 0.75 WHEN 'streak_rescue' THEN 0.55
                            WHEN 'leaderboard_share' THEN 0.4 ELSE 0.62 END
     ), users_in AS (
       INSERT INTO users (user_id, signed_up_at, referred_by_invite)
       SELECT user_id, at, invite_id FROM chosen WHERE at < now() ON CONFLICT DO NOTHING RETURNING user_id, signed_up_at, referred_by_invite
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
     INSERT INTO users (user_id, signed_up_at, referred_by_invite)
     SELECT signup_user_id, signed_up_at, invite_id FROM inv ON CONFLICT DO NOTHING`,
  ],
  [
    'fraud: self-referral attempts',
    `INSERT INTO self_referral_attempts (invite_id, referrer_id, occurred_at, sent_at)
     SELECT invite_id, referrer_id, sent_at + interval '1 minute', sent_at
       FROM invites WHERE invite_id IN ('demo_7', 'demo_11', 'demo_13', 'demo_17')`,
  ],
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
            (SELECT count(*)::int FROM invite_clicks) AS clicks`,
  )) as { rows: Record<string, number>[] };
  console.log('Loaded:', rows[0]);
  console.log(
    'Start the service (npm start) and open /docs, or: curl localhost:3000/v1/metrics/summary?days=30',
  );
} finally {
  await db.knex.destroy();
}

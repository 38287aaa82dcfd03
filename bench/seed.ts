// Set-based data sets for the query benchmarks (generate_series, bounded by the row counts given).
import type { Knex } from 'knex';

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

/**
 * Invites over 120 days: many referrers with a few invites each and a long tail of heavy ones (referrer index
 * M·u³ for u uniform, so the busiest referrer sends about 1 % of all invites), 30 % clicked, one in seven signing
 * up 0–7 days after sending (if that is already past).
 */
export async function seedInvites(db: Knex, invites: number): Promise<void> {
  await db.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, first_clicked_at, signup_user_id, signed_up_at)
     SELECT 'b' || g, 'ref' || floor(? * power((abs(hashint4(g)) % 1000000) / 1e6, 3))::bigint,
            'loop' || (g % 5), t.ts,
            CASE WHEN g % 10 < 3 THEN t.ts + interval '10 minutes' END,
            CASE WHEN g % 7 = 0 AND t.su < now() THEN 'new' || g END,
            CASE WHEN g % 7 = 0 AND t.su < now() THEN t.su END
       FROM generate_series(1, ?) g,
            LATERAL (SELECT now() - (g::float8 / ?) * interval '120 days' AS ts) s,
            LATERAL (SELECT s.ts, s.ts + (abs(hashint4(g * 3)) % 10080) * interval '1 minute' AS su) t`,
    [Math.max(1, Math.floor(invites / 4)), invites, invites],
  );
}

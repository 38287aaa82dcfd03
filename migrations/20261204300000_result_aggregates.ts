import type { Knex } from 'knex';

/*
 * Incremental result aggregates, maintained by the statements that store assignments, exposures and conversions,
 * so that results read a few rows instead of scanning every exposure. Counter rows carry a `shard` (the writing
 * backend's pid modulo 8) so that concurrent writers rarely wait on one hot row; readers sum over shards.
 * Buckets are 15 minutes wide: every UTC offset in use is a whole number of quarter hours, so the timeline can
 * regroup them into days of any time zone.
 */
const BUCKET = (ts: string) => `date_bin('15 minutes', ${ts}, timestamptz '2000-01-01 00:00:00+00')`;

// `held` leaves out held-out users when the holdouts migration ran before this one (it may, on a live database).
const statements = (held: string) => [
  `
    -- Assigned and exposed users per variant.
    CREATE TABLE result_variant_counts (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      variant       text NOT NULL,
      shard         smallint NOT NULL,
      assigned      bigint NOT NULL DEFAULT 0,
      exposed       bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (experiment_id, variant, shard)
    )
  `,
  `
    -- Per variant and metric, over exposed users: users with a counted conversion, counted conversions with a value,
    -- the sum of per-user value sums and the sum of their squares (exact numerics, for Welch's variance).
    CREATE TABLE result_metric_counts (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      variant       text NOT NULL,
      metric        text NOT NULL,
      shard         smallint NOT NULL,
      converted     bigint NOT NULL DEFAULT 0,
      valued        bigint NOT NULL DEFAULT 0,
      value_sum     numeric NOT NULL DEFAULT 0,
      value_sumsq   numeric NOT NULL DEFAULT 0,
      PRIMARY KEY (experiment_id, metric, variant, shard)
    )
  `,
  `
    -- First exposures per variant and 15-minute bucket (the timeline's exposed users).
    CREATE TABLE result_exposure_buckets (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      variant       text NOT NULL,
      bucket        timestamptz NOT NULL,
      shard         smallint NOT NULL,
      exposed       bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (experiment_id, variant, bucket, shard)
    )
  `,
  `
    -- First counted conversions per variant, metric and 15-minute bucket (the timeline's converted users).
    CREATE TABLE result_conversion_buckets (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      variant       text NOT NULL,
      metric        text NOT NULL,
      bucket        timestamptz NOT NULL,
      shard         smallint NOT NULL,
      converted     bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (experiment_id, metric, variant, bucket, shard)
    )
  `,
  `
    -- Per exposed user and metric, the conversions counted so far (at or after first exposure). prev_first_at is
    -- the first_at this row had before its latest update, so one upsert tells which timeline bucket to move.
    CREATE TABLE result_user_metrics (
      experiment_id integer NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
      metric        text NOT NULL,
      user_id       text NOT NULL,
      variant       text NOT NULL,
      counted       integer NOT NULL,
      valued        integer NOT NULL,
      value_sum     numeric NOT NULL,
      first_at      timestamptz NOT NULL,
      prev_first_at timestamptz,
      PRIMARY KEY (experiment_id, metric, user_id)
    )
  `,
  `
    -- The completion cut-off: a completed experiment's results subtract what occurred from completedAt on.
    CREATE INDEX result_user_metrics_first_at ON result_user_metrics (experiment_id, metric, first_at)
  `,
  `
    CREATE INDEX conversions_experiment_metric_occurred ON conversions (experiment_id, metric, occurred_at)
  `,
  `
    INSERT INTO result_user_metrics (experiment_id, metric, user_id, variant, counted, valued, value_sum, first_at)
    SELECT c.experiment_id, c.metric, c.user_id, a.variant, count(*), count(c.value), coalesce(sum(c.value), 0),
           min(c.occurred_at)
      FROM conversions c
      JOIN assignments a ON a.experiment_id = c.experiment_id AND a.user_id = c.user_id
     WHERE c.occurred_at >= a.exposed_at ${held.replace('holdout_id', 'a.holdout_id')}
     GROUP BY c.experiment_id, c.metric, c.user_id, a.variant
  `,
  `
    INSERT INTO result_variant_counts (experiment_id, variant, shard, assigned, exposed)
    SELECT experiment_id, variant, 0, count(*), count(exposed_at) FROM assignments WHERE true ${held}
     GROUP BY experiment_id, variant
  `,
  `
    INSERT INTO result_metric_counts (experiment_id, variant, metric, shard, converted, valued, value_sum, value_sumsq)
    SELECT experiment_id, variant, metric, 0, count(*), sum(valued), sum(value_sum), sum(value_sum * value_sum)
      FROM result_user_metrics GROUP BY experiment_id, variant, metric
  `,
  `
    INSERT INTO result_exposure_buckets (experiment_id, variant, bucket, shard, exposed)
    SELECT experiment_id, variant, ${BUCKET('exposed_at')}, 0, count(*)
      FROM assignments WHERE exposed_at IS NOT NULL ${held} GROUP BY 1, 2, 3
  `,
  `
    INSERT INTO result_conversion_buckets (experiment_id, variant, metric, bucket, shard, converted)
    SELECT experiment_id, variant, metric, ${BUCKET('first_at')}, 0, count(*) FROM result_user_metrics GROUP BY 1, 2, 3, 4
  `,
];

export async function up(knex: Knex): Promise<void> {
  // One statement per call: PGlite runs each query as a single prepared statement.
  const { rows } = (await knex.raw(
    `SELECT 1 FROM information_schema.columns WHERE table_name = 'assignments' AND column_name = 'holdout_id'`,
  )) as { rows: unknown[] };
  for (const sql of statements(rows.length > 0 ? 'AND holdout_id IS NULL' : '')) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX conversions_experiment_metric_occurred');
  await knex.raw(
    'DROP TABLE result_user_metrics, result_conversion_buckets, result_exposure_buckets, result_metric_counts, result_variant_counts',
  );
}

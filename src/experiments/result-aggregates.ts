/*
 * SQL fragments that keep the result aggregates (migration 20261204300000) in step with the ingest statements
 * that change them. Every counter moves by ON CONFLICT … DO UPDATE increments inside the writing statement, so
 * the aggregates commit (or roll back) with the event and stay exact under any number of concurrent writers.
 */

/**
 * The counter row this statement writes to: the connection's own shard (`liftoff.shard`, set when the pool opens
 * it, distinct for up to COUNTER_SHARDS connections of an instance), so concurrent writers of one instance never
 * wait on each other's counter rows; a session without it (PGlite, scripts) falls back to its pid modulo 8.
 */
const SHARD = `coalesce(nullif(current_setting('liftoff.shard', true), '')::smallint, (pg_backend_pid() % 8)::smallint)`;

/** The 15-minute bucket of a timestamp (UTC offsets in use are whole quarter hours, so days regroup exactly). */
export const bucketOf = (ts: string): string =>
  `date_bin('15 minutes', ${ts}, timestamptz '2000-01-01 00:00:00+00')`;

/**
 * Adds to the assigned and exposed users of each variant, from a CTE named `variant_moves` (experiment_id, variant,
 * assigned, exposed): one row per (experiment, variant), as one statement may touch each counter row once.
 */
export const APPLY_VARIANT_COUNTS = `
  variant_counts AS (
    INSERT INTO result_variant_counts AS r (experiment_id, variant, shard, assigned, exposed)
    SELECT experiment_id, variant, ${SHARD}, assigned, exposed FROM variant_moves
     WHERE assigned <> 0 OR exposed <> 0 ORDER BY experiment_id, variant
    ON CONFLICT (experiment_id, variant, shard) DO UPDATE
       SET assigned = r.assigned + excluded.assigned, exposed = r.exposed + excluded.exposed
  )`;

/**
 * Exposure buckets for a CTE named `moved` (experiment_id, variant, old_at, new_at): the first exposure of a user
 * set (old_at null) or moved earlier, which shifts the user from one bucket to another.
 */
export const APPLY_EXPOSURE_BUCKETS = `
  exposed_buckets AS (
    INSERT INTO result_exposure_buckets AS b (experiment_id, variant, bucket, shard, exposed)
    SELECT experiment_id, variant, bucket, ${SHARD}, sum(d) FROM (
      SELECT experiment_id, variant, ${bucketOf('new_at')} AS bucket, 1 AS d FROM moved
      UNION ALL
      SELECT experiment_id, variant, ${bucketOf('old_at')}, -1 FROM moved WHERE old_at IS NOT NULL
    ) m GROUP BY experiment_id, variant, bucket HAVING sum(d) <> 0 ORDER BY experiment_id, variant, bucket
    ON CONFLICT (experiment_id, variant, bucket, shard) DO UPDATE SET exposed = b.exposed + excluded.exposed
  )`;

/**
 * Conversion counters for a CTE named `counted` (experiment_id, metric, user_id, variant, n, v, s, first_at):
 * conversions that just started to count, one row per user and metric (n of them, v with a value, s their value
 * sum, first_at the earliest). The per-user row keeps what it held before this statement (prev_*), so its
 * RETURNING alone says whether the user just converted (nothing counted before), how the user's value sum moved
 * (for the sum of squares) and whether the first counted conversion moved earlier: no join back to `counted`,
 * whose row estimate is often 1 and made that join a nested loop, quadratic in the batch (3 s for 5,000).
 */
export const APPLY_COUNTED = `
  user_rows AS (
    INSERT INTO result_user_metrics AS u (experiment_id, metric, user_id, variant, counted, valued, value_sum, first_at)
    SELECT experiment_id, metric, user_id, variant, n, v, s, first_at FROM counted
     ORDER BY experiment_id, metric, user_id
    ON CONFLICT (experiment_id, metric, user_id) DO UPDATE
       SET counted = u.counted + excluded.counted, valued = u.valued + excluded.valued,
           value_sum = u.value_sum + excluded.value_sum, first_at = least(u.first_at, excluded.first_at),
           prev_first_at = u.first_at, prev_counted = u.counted, prev_valued = u.valued,
           prev_value_sum = u.value_sum
    RETURNING u.experiment_id, u.metric, u.variant, u.valued, u.value_sum, u.first_at, u.prev_first_at,
              u.prev_counted, u.prev_valued, u.prev_value_sum
  ), user_moves AS (
    SELECT experiment_id, metric, variant, prev_counted = 0 AS converted, valued - prev_valued AS v,
           value_sum - prev_value_sum AS s, value_sum * value_sum - prev_value_sum * prev_value_sum AS sumsq,
           first_at, CASE WHEN prev_counted = 0 THEN NULL ELSE prev_first_at END AS prev_first_at
      FROM user_rows
  ), metric_counts AS (
    INSERT INTO result_metric_counts AS m (experiment_id, variant, metric, shard, converted, valued, value_sum,
                                           value_sumsq)
    SELECT experiment_id, variant, metric, ${SHARD}, count(*) FILTER (WHERE converted), sum(v), sum(s), sum(sumsq)
      FROM user_moves GROUP BY experiment_id, metric, variant ORDER BY experiment_id, metric, variant
    ON CONFLICT (experiment_id, metric, variant, shard) DO UPDATE
       SET converted = m.converted + excluded.converted, valued = m.valued + excluded.valued,
           value_sum = m.value_sum + excluded.value_sum, value_sumsq = m.value_sumsq + excluded.value_sumsq
  ), conversion_buckets AS (
    INSERT INTO result_conversion_buckets AS b (experiment_id, variant, metric, bucket, shard, converted)
    SELECT experiment_id, variant, metric, bucket, ${SHARD}, sum(d) FROM (
      SELECT experiment_id, variant, metric, ${bucketOf('first_at')} AS bucket, 1 AS d
        FROM user_moves WHERE prev_first_at IS NULL OR first_at < prev_first_at
      UNION ALL
      SELECT experiment_id, variant, metric, ${bucketOf('prev_first_at')}, -1
        FROM user_moves WHERE first_at < prev_first_at
    ) m GROUP BY experiment_id, metric, variant, bucket HAVING sum(d) <> 0
     ORDER BY experiment_id, metric, variant, bucket
    ON CONFLICT (experiment_id, metric, variant, bucket, shard) DO UPDATE
       SET converted = b.converted + excluded.converted
  )`;

/**
 * Per user of experiment `:id`, what was converted of `:metric` from `:completedAt` on, at or after the user's first
 * exposure: n conversions, v with a value, s their value sum; found through conversions (experiment_id, metric,
 * occurred_at). A completed experiment takes these away from its aggregates (none while `:completedAt` is null).
 */
export const LATE_PER_USER = `
  SELECT c.user_id, count(*) AS n, count(c.value) AS v, coalesce(sum(c.value), 0) AS s
    FROM conversions c
    JOIN assignments a ON a.experiment_id = c.experiment_id AND a.user_id = c.user_id
   WHERE c.experiment_id = :id AND c.metric = :metric AND c.occurred_at >= :completedAt::timestamptz
     AND c.occurred_at >= a.exposed_at
   GROUP BY c.user_id`;

/**
 * Per user of experiment `:id`, the conversions of `:metric` that count in its results (at or after first
 * exposure, not held out, and before `:completedAt` when the experiment completed): n of them, v with a value, s
 * their value sum. Read from result_user_metrics (users who converted, not every conversion), less LATE_PER_USER.
 * Columns: user_id, variant, n, v, s (numeric).
 */
export const COUNTED_PER_USER = `
  SELECT u.user_id, u.variant, u.counted - coalesce(late.n, 0) AS n, u.valued - coalesce(late.v, 0) AS v,
         u.value_sum - coalesce(late.s, 0) AS s
    FROM result_user_metrics u
    LEFT JOIN (${LATE_PER_USER}) late ON late.user_id = u.user_id
   WHERE u.experiment_id = :id AND u.metric = :metric AND u.counted > coalesce(late.n, 0)`;

import type { Knex } from 'knex';
import { Batcher } from '../db/batcher.js';
import { namedStatement, preparedStatement } from '../db/prepared.js';
import { EXPERIMENT_COLUMNS, type ExperimentRow, toExperiment } from './experiment-store.js';
import { APPLY_COUNTED, APPLY_EXPOSURE_BUCKETS, APPLY_VARIANT_COUNTS } from './result-aggregates.js';
import type { Experiment, ExperimentStatus } from './types.js';

export interface StoredAssignment {
  variant: string;
  assignedAt: Date;
  exposedAt: Date | null;
  /** Set when the user is held out (SPEC §10.4): the variant is then the control, and the user is not counted. */
  holdoutId: number | null;
}

/** What the database says now about one experiment for one user. */
export interface CurrentState {
  status: ExperimentStatus;
  winner: string | null;
  assignment: StoredAssignment | null;
}

export interface ExperimentWithAssignment {
  experiment: Experiment;
  assignment: StoredAssignment | null;
}

export interface NewAssignment {
  experimentId: number;
  userId: string;
  variant: string;
  assignedAt: Date;
  exposedAt: Date | null;
  holdoutId: number | null;
  /** A bandit's weight period the user was bucketed in; null for fixed splits. */
  banditPeriod: number | null;
}

interface LookupRow extends ExperimentRow {
  a_variant: string | null;
  a_assigned_at: Date | null;
  a_exposed_at: Date | null;
  a_holdout_id: number | null;
}

const EXPERIMENT_SELECT = EXPERIMENT_COLUMNS.map((c) => `e.${c}`).join(', ');

const rowKey = (experimentId: number, userId: string) => `${experimentId}\u0000${userId}`;

export interface ExposureItem {
  experimentId: number;
  userId: string;
  at: Date;
}

export interface ExposureResult {
  exposedAt: Date;
  firstExposure: boolean;
  exposureChanged: boolean;
}

/** What a first-assignment attempt found: the row it stored, or the one stored before. */
export interface InsertResult {
  stored: StoredAssignment;
  inserted: boolean;
}

interface InsertedRow {
  inserted: boolean;
  experiment_id: number;
  user_id: string;
  variant: string;
  assigned_at: Date;
  exposed_at: Date | null;
  holdout_id: number | null;
}

/** insertMany()'s statement, prepared once per connection. */
const INSERT_ASSIGNMENTS = `WITH x AS (
         SELECT * FROM unnest(?::int[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::int[])
                AS x(experiment_id, user_id, variant, assigned_at, exposed_at, holdout_id, bandit_period)
       ), ins AS (
         INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at, holdout_id, bandit_period)
         SELECT x.experiment_id, x.user_id, x.variant, x.assigned_at, x.exposed_at, x.holdout_id, x.bandit_period
           FROM x JOIN experiments e ON e.id = x.experiment_id AND e.status = 'running'
          WHERE x.holdout_id IS NULL OR EXISTS (SELECT 1 FROM holdouts h WHERE h.id = x.holdout_id)
         ON CONFLICT (experiment_id, user_id) DO NOTHING
         RETURNING experiment_id, user_id, variant, assigned_at, exposed_at, holdout_id
       ), counts AS (
         -- Held-out users count nowhere in results.
         SELECT * FROM ins WHERE holdout_id IS NULL
       ), variant_moves AS (
         SELECT experiment_id, variant, count(*) AS assigned, count(exposed_at) AS exposed FROM counts
          GROUP BY experiment_id, variant
       ), moved AS (
         SELECT experiment_id, variant, NULL::timestamptz AS old_at, exposed_at AS new_at
           FROM counts WHERE exposed_at IS NOT NULL
       ), counted AS (
         -- A user released from a holdout is assigned afresh but keeps the conversions stored before.
         SELECT c.experiment_id, c.metric, c.user_id, m.variant, count(*)::int AS n, count(c.value)::int AS v,
                coalesce(sum(c.value), 0) AS s, min(c.occurred_at) AS first_at
           FROM counts m JOIN conversions c ON c.experiment_id = m.experiment_id AND c.user_id = m.user_id
          WHERE c.occurred_at >= m.exposed_at
          GROUP BY c.experiment_id, c.metric, c.user_id, m.variant
       ), ${APPLY_VARIANT_COUNTS}, ${APPLY_EXPOSURE_BUCKETS}, ${APPLY_COUNTED}
       SELECT true AS inserted, ins.* FROM ins
       UNION ALL
       SELECT false, a.experiment_id, a.user_id, a.variant, a.assigned_at, a.exposed_at, a.holdout_id
         FROM assignments a JOIN x ON a.experiment_id = x.experiment_id AND a.user_id = x.user_id`;

/** The exposure batch statement (prepared: it carries the aggregate CTEs, whose planning rivalled running them). */
const exposeStatement = namedStatement<{
  experiment_id: number;
  user_id: string;
  variant: string;
  holdout_id: number | null;
  old_at: Date | null;
  new_at: Date | null;
}>(
  'liftoff_exposures_apply',
  `WITH x AS (
     SELECT experiment_id, user_id, min(at) AS at
       FROM unnest(?::int[], ?::text[], ?::timestamptz[]) AS x(experiment_id, user_id, at)
      GROUP BY experiment_id, user_id
   ), upd AS (
     UPDATE assignments a SET exposed_at = old.at
       FROM (SELECT a.experiment_id, a.user_id, a.exposed_at, x.at
               FROM assignments a JOIN x USING (experiment_id, user_id)
              WHERE a.exposed_at IS NULL OR a.exposed_at > x.at
              ORDER BY a.experiment_id, a.user_id
                FOR UPDATE OF a) old
      WHERE a.experiment_id = old.experiment_id AND a.user_id = old.user_id
     RETURNING a.experiment_id, a.user_id, a.variant, a.holdout_id, old.exposed_at AS old_at,
               a.exposed_at AS new_at
   ), moved AS (
     SELECT * FROM upd WHERE holdout_id IS NULL
   ), variant_moves AS (
     SELECT experiment_id, variant, 0 AS assigned, count(*) FILTER (WHERE old_at IS NULL) AS exposed FROM moved
      GROUP BY experiment_id, variant
   ), ${APPLY_VARIANT_COUNTS}, ${APPLY_EXPOSURE_BUCKETS}
   SELECT experiment_id, user_id, variant, holdout_id, old_at, new_at FROM upd
   UNION ALL
   SELECT a.experiment_id, a.user_id, a.variant, a.holdout_id, a.exposed_at, NULL
     FROM assignments a JOIN x USING (experiment_id, user_id)
    WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.experiment_id = a.experiment_id AND upd.user_id = a.user_id)`,
);

/** Conversions of users whose first exposure was set or moved earlier, counted from the new time (prepared). */
const countMovedStatement = namedStatement(
  'liftoff_exposures_count_moved',
  `WITH m AS (
     SELECT * FROM unnest(?::int[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])
            AS m(experiment_id, user_id, variant, old_at, new_at)
   ), counted AS (
     SELECT c.experiment_id, c.metric, c.user_id, m.variant, count(*)::int AS n, count(c.value)::int AS v,
            coalesce(sum(c.value), 0) AS s, min(c.occurred_at) AS first_at
       FROM m JOIN conversions c ON c.experiment_id = m.experiment_id AND c.user_id = m.user_id
      WHERE c.occurred_at >= m.new_at AND (m.old_at IS NULL OR c.occurred_at < m.old_at)
      GROUP BY c.experiment_id, c.metric, c.user_id, m.variant
   ), ${APPLY_COUNTED}
   SELECT count(*)::int AS n FROM counted`,
);

export class AssignmentStore {
  private readonly inserts: Batcher<NewAssignment, InsertResult | null>;
  private readonly exposures: Batcher<ExposureItem, ExposureResult | null>;
  private readonly insertStatement: (values: unknown[]) => Promise<InsertedRow[]>;

  constructor(private readonly knex: Knex) {
    this.insertStatement = preparedStatement(knex, 'liftoff_assignments_insert', INSERT_ASSIGNMENTS);
    // One statement at a time: arrivals meanwhile make the next batch larger. Two at once measured 0.87–0.93× the
    // one-INSERT ceiling at 50 connections against 0.97–1.09× with one (three runs each, same machine); they wait on
    // each other's counter and index pages, and each commits a smaller batch.
    this.inserts = new Batcher((rows) => this.insertMany(rows), {
      maxBatch: 500,
      maxPending: 10_000,
      maxInFlight: 1,
    });
    this.exposures = new Batcher((items) => this.exposeMany(items), {
      maxBatch: 500,
      maxPending: 10_000,
      maxInFlight: 2,
    });
  }

  /**
   * Stores a first assignment while its experiment is running, in a statement shared with concurrent callers
   * (group commit), or returns the assignment stored before. Null when neither can be said from this statement
   * (a concurrent caller won the race, or the experiment is no longer running): the caller looks it up.
   */
  insert(row: NewAssignment): Promise<InsertResult | null> {
    return this.inserts.submit(row);
  }

  /** The experiments (by key, or all running ones) with this user's stored assignment, in one query. */
  async lookup(userId: string, keys: string[] | null): Promise<ExperimentWithAssignment[]> {
    const where = keys === null ? `e.status = 'running'` : `e.key = ANY(?::text[])`;
    const { rows } = (await this.knex.raw(
      `SELECT ${EXPERIMENT_SELECT}, a.variant AS a_variant, a.assigned_at AS a_assigned_at, a.exposed_at AS a_exposed_at,
              a.holdout_id AS a_holdout_id
         FROM experiments e
         LEFT JOIN assignments a ON a.experiment_id = e.id AND a.user_id = ?
        WHERE ${where}
        ORDER BY e.key`,
      keys === null ? [userId] : [userId, keys],
    )) as { rows: LookupRow[] };
    return rows.map((r) => ({
      experiment: toExperiment(r),
      assignment: r.a_variant
        ? {
            variant: r.a_variant,
            assignedAt: r.a_assigned_at!,
            exposedAt: r.a_exposed_at,
            holdoutId: r.a_holdout_id,
          }
        : null,
    }));
  }

  /**
   * This user's stored assignments in these experiments, and each experiment's current status and winner as the
   * database has them (a cached definition may be a second old: the answer for a user without assignment must not
   * depend on it).
   */
  async find(userId: string, experimentIds: number[]): Promise<Map<number, CurrentState>> {
    const { rows } = (await this.knex.raw(
      `SELECT e.id, e.status, e.winner, a.variant, a.assigned_at, a.exposed_at, a.holdout_id
         FROM experiments e LEFT JOIN assignments a ON a.experiment_id = e.id AND a.user_id = ?
        WHERE e.id = ANY(?::int[])`,
      [userId, experimentIds as unknown as Knex.Value],
    )) as {
      rows: {
        id: number;
        status: ExperimentStatus;
        winner: string | null;
        variant: string | null;
        assigned_at: Date | null;
        exposed_at: Date | null;
        holdout_id: number | null;
      }[];
    };
    return new Map(
      rows.map((r) => [
        r.id,
        {
          status: r.status,
          winner: r.winner,
          assignment: r.variant
            ? {
                variant: r.variant,
                assignedAt: r.assigned_at!,
                exposedAt: r.exposed_at,
                holdoutId: r.holdout_id,
              }
            : null,
        },
      ]),
    );
  }

  /**
   * One statement for many first assignments: INSERT … SELECT FROM unnest … ON CONFLICT DO NOTHING, plus the rows
   * that existed before it (read from the statement's snapshot), so existing users cost no second query. A
   * held-out row whose holdout is gone is not stored; a holdout deleted while the statement ran fails its foreign
   * key, and the batch is run once more (it then skips that holdout's rows).
   */
  async insertMany(rows: NewAssignment[]): Promise<(InsertResult | null)[]> {
    try {
      return await this.insertRows(rows);
    } catch (err) {
      if ((err as { code?: string }).code !== '23503') throw err;
      return this.insertRows(rows);
    }
  }

  private async insertRows(rows: NewAssignment[]): Promise<(InsertResult | null)[]> {
    const found = await this.insertStatement([
      rows.map((r) => r.experimentId),
      rows.map((r) => r.userId),
      rows.map((r) => r.variant),
      rows.map((r) => r.assignedAt.toISOString()),
      rows.map((r) => r.exposedAt?.toISOString() ?? null),
      rows.map((r) => r.holdoutId),
      rows.map((r) => r.banditPeriod),
    ]);
    const byKey = new Map<string, InsertResult>();
    for (const r of found) {
      byKey.set(rowKey(r.experiment_id, r.user_id), {
        inserted: r.inserted,
        stored: {
          variant: r.variant,
          assignedAt: r.assigned_at,
          exposedAt: r.exposed_at,
          holdoutId: r.holdout_id,
        },
      });
    }
    // A row repeated within one batch is stored once: only its first submitter is told so.
    return rows.map((r) => {
      const key = rowKey(r.experimentId, r.userId);
      const result = byKey.get(key) ?? null;
      byKey.delete(key);
      return result;
    });
  }

  /**
   * Records an exposure at `at`, keeping the earliest one. Returns the stored first-exposure time, whether this call
   * created it and whether it changed it (an earlier exposure than stored); null when the user has no assignment.
   */
  expose(experimentId: number, userId: string, at: Date): Promise<ExposureResult | null> {
    // Shared with concurrent callers (group commit), like first assignments.
    return this.exposures.submit({ experimentId, userId, at });
  }

  /**
   * Records exposures set-based, keeping each user's earliest; one answer per input (null: no assignment).
   * A first exposure that is set or moves earlier makes the user's conversions from then on count, so the
   * aggregates are recounted for those users in a second statement of the same transaction: its snapshot is
   * taken after the first statement locked the assignments, so it sees every conversion committed by a writer
   * that held the assignment before, and writers after it wait for the commit and see the new exposure.
   */
  async exposeMany(items: ExposureItem[]): Promise<(ExposureResult | null)[]> {
    const stored = await this.knex.transaction(async (trx) => {
      const rows = await exposeStatement(trx, [
        items.map((i) => i.experimentId) as unknown as Knex.Value,
        items.map((i) => i.userId),
        items.map((i) => i.at.toISOString()),
      ]);
      const moved = rows.filter((r) => r.new_at !== null && r.holdout_id === null);
      if (moved.length > 0) {
        await countMovedStatement(trx, [
          moved.map((r) => r.experiment_id) as unknown as Knex.Value,
          moved.map((r) => r.user_id),
          moved.map((r) => r.variant),
          moved.map((r) => r.old_at?.toISOString() ?? null) as unknown as Knex.Value,
          moved.map((r) => r.new_at!.toISOString()),
        ]);
      }
      return rows;
    });
    const byKey = new Map(stored.map((r) => [rowKey(r.experiment_id, r.user_id), r]));
    // Within one call, only the item that set or moved the first exposure (the first at its time) is told it did.
    const told = new Set<string>();
    return items.map((i) => {
      const key = rowKey(i.experimentId, i.userId);
      const r = byKey.get(key);
      if (!r) return null;
      const changed = r.new_at !== null && !told.has(key) && i.at.getTime() === r.new_at.getTime();
      if (changed) told.add(key);
      return {
        exposedAt: r.new_at ?? r.old_at!,
        firstExposure: changed && r.old_at === null,
        exposureChanged: changed,
      };
    });
  }
}

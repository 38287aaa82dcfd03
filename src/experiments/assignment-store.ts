import type { Knex } from 'knex';
import { Batcher } from '../db/batcher.js';
import { EXPERIMENT_COLUMNS, type ExperimentRow, toExperiment } from './experiment-store.js';
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
}

interface LookupRow extends ExperimentRow {
  a_variant: string | null;
  a_assigned_at: Date | null;
  a_exposed_at: Date | null;
  a_holdout_id: number | null;
}

const EXPERIMENT_SELECT = EXPERIMENT_COLUMNS.map((c) => `e.${c}`).join(', ');

const rowKey = (experimentId: number, userId: string) => `${experimentId}\u0000${userId}`;

/** What a first-assignment attempt found: the row it stored, or the one stored before. */
export interface InsertResult {
  stored: StoredAssignment;
  inserted: boolean;
}

export class AssignmentStore {
  private readonly inserts: Batcher<NewAssignment, InsertResult | null>;

  constructor(private readonly knex: Knex) {
    this.inserts = new Batcher((rows) => this.insertBatch(rows), {
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
  private async insertBatch(rows: NewAssignment[]): Promise<(InsertResult | null)[]> {
    try {
      return await this.insertRows(rows);
    } catch (err) {
      if ((err as { code?: string }).code !== '23503') throw err;
      return this.insertRows(rows);
    }
  }

  private async insertRows(rows: NewAssignment[]): Promise<(InsertResult | null)[]> {
    const { rows: found } = (await this.knex.raw(
      `WITH x AS (
         SELECT * FROM unnest(?::int[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[])
                AS x(experiment_id, user_id, variant, assigned_at, exposed_at, holdout_id)
       ), ins AS (
         INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at, holdout_id)
         SELECT x.experiment_id, x.user_id, x.variant, x.assigned_at, x.exposed_at, x.holdout_id
           FROM x JOIN experiments e ON e.id = x.experiment_id AND e.status = 'running'
          WHERE x.holdout_id IS NULL OR EXISTS (SELECT 1 FROM holdouts h WHERE h.id = x.holdout_id)
         ON CONFLICT (experiment_id, user_id) DO NOTHING
         RETURNING experiment_id, user_id, variant, assigned_at, exposed_at, holdout_id
       )
       SELECT true AS inserted, ins.* FROM ins
       UNION ALL
       SELECT false, a.experiment_id, a.user_id, a.variant, a.assigned_at, a.exposed_at, a.holdout_id
         FROM assignments a JOIN x ON a.experiment_id = x.experiment_id AND a.user_id = x.user_id`,
      [
        rows.map((r) => r.experimentId) as unknown as Knex.Value,
        rows.map((r) => r.userId),
        rows.map((r) => r.variant),
        rows.map((r) => r.assignedAt.toISOString()),
        rows.map((r) => r.exposedAt?.toISOString() ?? null) as unknown as Knex.Value,
        rows.map((r) => r.holdoutId) as unknown as Knex.Value,
      ],
    )) as {
      rows: {
        inserted: boolean;
        experiment_id: number;
        user_id: string;
        variant: string;
        assigned_at: Date;
        exposed_at: Date | null;
        holdout_id: number | null;
      }[];
    };
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
  async expose(
    experimentId: number,
    userId: string,
    at: Date,
  ): Promise<{ exposedAt: Date; firstExposure: boolean; exposureChanged: boolean } | null> {
    const { rows } = (await this.knex.raw(
      `WITH prev AS (
         SELECT exposed_at FROM assignments WHERE experiment_id = ? AND user_id = ?
       ), upd AS (
         UPDATE assignments SET exposed_at = ?::timestamptz
          WHERE experiment_id = ? AND user_id = ? AND (exposed_at IS NULL OR exposed_at > ?::timestamptz)
          RETURNING exposed_at
       )
       SELECT coalesce((SELECT exposed_at FROM upd), prev.exposed_at) AS exposed_at,
              (prev.exposed_at IS NULL AND EXISTS (SELECT 1 FROM upd)) AS first,
              EXISTS (SELECT 1 FROM upd) AS changed
         FROM prev`,
      [experimentId, userId, at.toISOString(), experimentId, userId, at.toISOString()],
    )) as { rows: { exposed_at: Date; first: boolean; changed: boolean }[] };
    const row = rows[0];
    return row ? { exposedAt: row.exposed_at, firstExposure: row.first, exposureChanged: row.changed } : null;
  }
}

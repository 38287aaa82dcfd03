import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export type ReportKind = 'growth' | 'experiment';
export type ReportFormat = 'pdf' | 'csv';
export type RunTrigger = 'schedule' | 'catch_up' | 'manual';
export type RunStatus = 'pending' | 'succeeded' | 'failed';

export interface Report {
  id: string;
  name: string;
  kind: ReportKind;
  experimentKey: string | null;
  days: number;
  format: ReportFormat;
  schedule: string | null;
  timezone: string;
  nextRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Run {
  id: string;
  reportId: string;
  trigger: RunTrigger;
  scheduledFor: Date;
  skipped: number;
  status: RunStatus;
  attempts: number;
  error: string | null;
  format: ReportFormat;
  filename: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  deliveries: number;
  createdAt: Date;
  completedAt: Date | null;
}

export interface RenderedFile {
  filename: string;
  contentType: string;
  content: Buffer;
  sha256: string;
}

const REPORT_COLUMNS = {
  id: 'id',
  name: 'name',
  kind: 'kind',
  experimentKey: 'experiment_key',
  days: 'days',
  format: 'format',
  schedule: 'schedule',
  timezone: 'timezone',
  nextRunAt: 'next_run_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const RUN_COLUMNS = {
  id: 'id',
  reportId: 'report_id',
  trigger: 'trigger',
  scheduledFor: 'scheduled_for',
  skipped: 'skipped',
  status: 'status',
  attempts: 'attempts',
  error: 'error',
  format: 'format',
  filename: 'filename',
  sizeBytes: 'size_bytes',
  sha256: 'sha256',
  deliveries: 'deliveries',
  createdAt: 'created_at',
  completedAt: 'completed_at',
};

export class ReportStore {
  constructor(private readonly knex: Knex) {}

  async insert(r: Report, trx: Knex = this.knex): Promise<void> {
    await trx('reports').insert({
      id: r.id,
      name: r.name,
      kind: r.kind,
      experiment_key: r.experimentKey,
      days: r.days,
      format: r.format,
      schedule: r.schedule,
      timezone: r.timezone,
      next_run_at: r.nextRunAt,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    });
  }

  async find(id: string, trx: Knex = this.knex): Promise<Report | null> {
    return (
      ((await trx('reports').select(REPORT_COLUMNS).where({ id }).first()) as Report | undefined) ?? null
    );
  }

  /** By id, after `after` (keyset pagination). */
  async list(limit: number, after?: string): Promise<Report[]> {
    const q = this.knex('reports').select(REPORT_COLUMNS).orderBy('id').limit(limit);
    if (after) q.where('id', '>', after);
    return (await q) as Report[];
  }

  async delete(id: string, trx: Knex = this.knex): Promise<boolean> {
    // returning(): the embedded driver does not report affected-row counts.
    return (await trx('reports').where({ id }).delete().returning('id')).length > 0;
  }

  /** Reports whose next occurrence has come, locked for this transaction (SKIP LOCKED: never waits on another). */
  async lockDue(now: Date, limit: number, trx: Knex): Promise<Report[]> {
    return (await trx('reports')
      .select(REPORT_COLUMNS)
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()) as Report[];
  }

  async setNextRun(id: string, nextRunAt: Date | null, trx: Knex): Promise<void> {
    await trx('reports').where({ id }).update({ next_run_at: nextRunAt });
  }

  /** Records a run (pending) once per occurrence: null when this occurrence already has one. */
  async addRun(
    r: { reportId: string; trigger: RunTrigger; scheduledFor: Date; skipped: number; format: ReportFormat },
    now: Date,
    trx: Knex = this.knex,
  ): Promise<string | null> {
    const rows = (await trx('report_runs')
      .insert({
        id: randomUUID(),
        report_id: r.reportId,
        trigger: r.trigger,
        scheduled_for: r.scheduledFor,
        skipped: r.skipped,
        status: 'pending',
        format: r.format,
        created_at: now,
      })
      .onConflict(['report_id', 'scheduled_for'])
      .ignore()
      .returning('id')) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /** Pending runs, oldest first: those just recorded and those a stopped instance left behind. */
  async pendingRuns(limit: number, except: string[] = []): Promise<Run[]> {
    const q = this.knex('report_runs').select(RUN_COLUMNS).where({ status: 'pending' });
    if (except.length > 0) q.whereNotIn('id', except);
    return (await q.orderBy('created_at').limit(limit)) as Run[];
  }

  async pendingRun(id: string): Promise<Run | null> {
    return (
      ((await this.knex('report_runs').select(RUN_COLUMNS).where({ id, status: 'pending' }).first()) as
        Run | undefined) ?? null
    );
  }

  /** Locks a pending run for its completion; null when it is no longer pending (another instance finished it). */
  async lockPending(id: string, trx: Knex): Promise<Run | null> {
    const row = (await trx('report_runs')
      .select(RUN_COLUMNS)
      .where({ id, status: 'pending' })
      .forUpdate()
      .first()) as Run | undefined;
    return row ?? null;
  }

  async complete(id: string, file: RenderedFile, deliveries: number, at: Date, trx: Knex): Promise<void> {
    await trx('report_runs')
      .where({ id })
      .update({
        status: 'succeeded',
        attempts: trx.raw('attempts + 1'),
        error: null,
        filename: file.filename,
        content_type: file.contentType,
        content: file.content,
        size_bytes: file.content.length,
        sha256: file.sha256,
        deliveries,
        completed_at: at,
      });
  }

  /** A failed render attempt: pending again until maxAttempts, then failed. */
  async recordFailure(id: string, error: string, maxAttempts: number, at: Date): Promise<void> {
    await this.knex('report_runs')
      .where({ id, status: 'pending' })
      .update({
        attempts: this.knex.raw('attempts + 1'),
        error: error.slice(0, 2000),
        status: this.knex.raw(`CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END`, [maxAttempts]),
        completed_at: this.knex.raw(`CASE WHEN attempts + 1 >= ? THEN ?::timestamptz END`, [
          maxAttempts,
          at.toISOString(),
        ]),
      });
  }

  async run(reportId: string, runId: string): Promise<Run | null> {
    return (
      ((await this.knex('report_runs')
        .select(RUN_COLUMNS)
        .where({ id: runId, report_id: reportId })
        .first()) as Run | undefined) ?? null
    );
  }

  async file(reportId: string, runId: string): Promise<RenderedFile | null> {
    const row = (await this.knex('report_runs')
      .select('filename', 'content_type', 'content', 'sha256')
      .where({ id: runId, report_id: reportId, status: 'succeeded' })
      .first()) as
      { filename: string; content_type: string; content: Uint8Array; sha256: string } | undefined;
    if (!row) return null;
    return {
      filename: row.filename,
      contentType: row.content_type,
      content: Buffer.from(row.content),
      sha256: row.sha256,
    };
  }

  /** Newest first; keyset on (created_at, id) after the run `before`. */
  async runs(reportId: string, limit: number, before?: string): Promise<Run[]> {
    const q = this.knex('report_runs')
      .select(RUN_COLUMNS)
      .where({ report_id: reportId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (before) {
      q.whereRaw(
        '(created_at, id) < (SELECT created_at, id FROM report_runs WHERE id = ? AND report_id = ?)',
        [before, reportId],
      );
    }
    return (await q) as Run[];
  }

  /** The newest run of each report. */
  async lastRuns(reportIds: string[]): Promise<Map<string, Run>> {
    if (reportIds.length === 0) return new Map();
    const rows = (await this.knex
      .select(RUN_COLUMNS)
      .from(
        this.knex('report_runs')
          .select('*')
          .select(
            this.knex.raw(
              'row_number() OVER (PARTITION BY report_id ORDER BY created_at DESC, id DESC) AS rn',
            ),
          )
          .whereIn('report_id', reportIds)
          .as('r'),
      )
      .where('rn', 1)) as Run[];
    return new Map(rows.map((r) => [r.reportId, r]));
  }
}

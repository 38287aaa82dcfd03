import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ChannelStore } from '../alerts/channel-store.js';
import { checkChannelInput } from '../alerts/channel-rules.js';
import type { DeliveryStore } from '../alerts/delivery-store.js';
import type { Channel, Clock } from '../alerts/types.js';
import { AppError, ValidationError } from '../errors.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { CreateReportInput } from '../schemas/reports.js';
import { fmtDay } from './format.js';
import type { ReportCollector } from './report-data.js';
import { renderCsv } from './report-csv.js';
import { renderPdf } from './report-pdf.js';
import type { RenderedFile, Report, ReportFormat, ReportStore, Run, RunTrigger } from './report-store.js';
import { Schedule } from './schedule.js';

const REPORT_OWNER = 'report';
/** Render attempts of one run before it is marked failed (a restart in between counts none). */
const MAX_RENDER_ATTEMPTS = 3;
/** A run that starts this long after its occurrence, or stands for missed ones, is a catch-up run. */
const LATE_MS = 5 * 60_000;
const BATCH = 20;

const reportNotFound = (id: string) => new AppError('report_not_found', `Report ${id} does not exist.`);
const runNotFound = (id: string) =>
  new AppError('report_run_not_found', `Run ${id} of this report does not exist or has no file.`);

export interface ReportView {
  report: Report;
  channels: Channel[];
  lastRun: Run | null;
  showSecrets: boolean;
}

export interface ReportServiceOptions {
  publicUrl: string;
  allowHttp: boolean;
  emailEnabled: boolean;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'report';

/** Report definitions, rendering (PDF, CSV), scheduled runs with one catch-up, and their delivery. */
export class ReportService {
  constructor(
    private readonly knex: Knex,
    private readonly store: ReportStore,
    private readonly collector: ReportCollector,
    private readonly experiments: ExperimentService,
    private readonly channels: ChannelStore,
    private readonly deliveries: DeliveryStore,
    private readonly clock: Clock,
    private readonly opts: ReportServiceOptions,
    /** Called after notifications were queued, so the delivery worker starts at once. */
    private readonly onQueued: () => void = () => {},
  ) {}

  async create(input: CreateReportInput): Promise<ReportView> {
    checkChannelInput(input.channels, this.opts);
    const schedule = input.schedule ? new Schedule(input.schedule, input.timezone) : null;
    if (input.experimentKey !== undefined) await this.experiments.get(input.experimentKey);
    const now = this.clock.now();
    const report: Report = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      experimentKey: input.experimentKey ?? null,
      days: input.days,
      format: input.format,
      schedule: schedule?.pattern.trim() ?? null,
      timezone: input.timezone,
      nextRunAt: schedule?.next(now) ?? null,
      createdAt: now,
      updatedAt: now,
    };
    const channels = await this.knex.transaction(async (trx) => {
      await this.store.insert(report, trx);
      return this.channels.replace(REPORT_OWNER, report.id, input.channels, trx);
    });
    return { report, channels, lastRun: null, showSecrets: true };
  }

  private async find(id: string): Promise<Report> {
    const report = await this.store.find(id);
    if (!report) throw reportNotFound(id);
    return report;
  }

  async get(id: string): Promise<ReportView> {
    const report = await this.find(id);
    const [channels, last] = await Promise.all([
      this.channels.byOwners(REPORT_OWNER, [id]),
      this.store.lastRuns([id]),
    ]);
    return { report, channels, lastRun: last.get(id) ?? null, showSecrets: false };
  }

  async list(limit: number, cursor?: string): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    const reports = await this.store.list(limit + 1, cursor === undefined ? undefined : decodeCursor(cursor));
    const page = reports.slice(0, limit);
    const ids = page.map((r) => r.id);
    const [channels, last] = await Promise.all([
      this.channels.byOwners(REPORT_OWNER, ids),
      this.store.lastRuns(ids),
    ]);
    return {
      items: page.map((report) => ({
        report,
        channels: channels.filter((c) => c.ownerId === report.id),
        lastRun: last.get(report.id) ?? null,
        showSecrets: false,
      })),
      nextCursor: reports.length > limit ? encodeCursor(page.at(-1)!.id) : null,
    };
  }

  async delete(id: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      if (!(await this.store.delete(id, trx))) throw reportNotFound(id);
      await this.channels.deleteOwner(REPORT_OWNER, id, trx);
    });
  }

  /** GET …/render: the report as of now, in the asked format (the report's own by default); nothing is recorded. */
  async render(id: string, format?: ReportFormat): Promise<RenderedFile> {
    const report = await this.find(id);
    const now = this.clock.now();
    return this.build(report, format ?? report.format, now, now);
  }

  private async build(
    report: Report,
    format: ReportFormat,
    asOf: Date,
    generatedAt: Date,
  ): Promise<RenderedFile> {
    const data = await this.collector.collect(report, asOf, generatedAt);
    const content = format === 'pdf' ? await renderPdf(data) : renderCsv(data);
    return {
      filename: `${slug(report.name)}-${fmtDay(asOf, report.timezone)}.${format}`,
      contentType: format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8',
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
    };
  }

  /** POST …/runs: run now — render, record and deliver — and answer the run. */
  async runNow(id: string): Promise<Run> {
    const report = await this.find(id);
    const now = this.clock.now();
    const runId = await this.store.addRun(
      { reportId: id, trigger: 'manual', scheduledFor: now, skipped: 0, format: report.format },
      now,
    );
    // Two manual runs in the same millisecond are one occurrence: the second answers the first's run.
    if (runId) await this.process(runId);
    const run = runId ? await this.store.run(id, runId) : (await this.store.runs(id, 1))[0];
    return run!;
  }

  async runs(id: string, limit: number, cursor?: string) {
    await this.find(id);
    const rows = await this.store.runs(
      id,
      limit + 1,
      cursor === undefined ? undefined : decodeCursor(cursor),
    );
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  async file(id: string, runId: string): Promise<RenderedFile> {
    const file = await this.store.file(id, runId);
    if (!file) throw runNotFound(runId);
    return file;
  }

  fileUrl(run: Run): string | null {
    return run.status === 'succeeded'
      ? `${this.opts.publicUrl}/v1/reports/${run.reportId}/runs/${run.id}/file`
      : null;
  }

  /**
   * The scheduler's tick (one instance at a time): record a run for every report whose occurrence has come — one
   * run for all occurrences missed while no instance ran — then render and deliver every pending run, including
   * those a stopped instance left behind. Stops between runs when `stopping()` says so.
   */
  async tick(
    stopping: () => boolean = () => false,
    onError: (err: unknown) => void = () => {},
  ): Promise<void> {
    await this.claimDue(onError);
    // A run that fails is tried again at the next tick, not again in this one.
    const failed = new Set<string>();
    for (;;) {
      const pending = await this.store.pendingRuns(BATCH, [...failed]);
      if (pending.length === 0 || stopping()) return;
      for (const run of pending) {
        if (stopping()) return;
        await this.process(run.id).catch((err: unknown) => {
          failed.add(run.id);
          onError(err);
        });
      }
    }
  }

  private async claimDue(onError: (err: unknown) => void): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const claimed = await this.knex.transaction(async (trx) => {
        const due = await this.store.lockDue(now, BATCH, trx);
        for (const report of due) {
          let schedule: Schedule;
          try {
            schedule = new Schedule(report.schedule!, report.timezone);
          } catch (err) {
            onError(err);
            await this.store.setNextRun(report.id, null, trx);
            continue;
          }
          const occurrence = schedule.due(report.nextRunAt!, now)!;
          const late = occurrence.skipped > 0 || now.getTime() - occurrence.latest.getTime() > LATE_MS;
          const trigger: RunTrigger = late ? 'catch_up' : 'schedule';
          await this.store.addRun(
            {
              reportId: report.id,
              trigger,
              scheduledFor: occurrence.latest,
              skipped: occurrence.skipped,
              format: report.format,
            },
            now,
            trx,
          );
          await this.store.setNextRun(report.id, schedule.next(now), trx);
        }
        return due.length;
      });
      if (claimed < BATCH) return;
    }
  }

  /** Renders one pending run and, in one transaction, stores the file and queues its deliveries. */
  private async process(runId: string): Promise<void> {
    const run = await this.store.pendingRun(runId);
    if (!run) return;
    const report = await this.store.find(run.reportId);
    if (!report) return;
    let file: RenderedFile;
    try {
      // A growth window ends at the occurrence, so a run rendered again after a restart covers the same days.
      file = await this.build(report, run.format, run.scheduledFor, this.clock.now());
    } catch (err) {
      await this.store.recordFailure(
        run.id,
        err instanceof Error ? err.message : String(err),
        MAX_RENDER_ATTEMPTS,
        this.clock.now(),
      );
      throw err;
    }
    const queued = await this.knex.transaction(async (trx) => {
      const locked = await this.store.lockPending(run.id, trx);
      if (!locked) return 0;
      const now = this.clock.now();
      const channels = await this.channels.byOwners(REPORT_OWNER, [report.id], trx);
      const done: Run = { ...locked, status: 'succeeded' };
      const link = this.fileUrl(done)!;
      const data = {
        title: `📄 ${report.name}: ${file.filename}`,
        text:
          `${report.kind === 'growth' ? 'Growth' : `Experiment ${report.experimentKey}`} report` +
          ` for ${fmtDay(run.scheduledFor, report.timezone)} (${run.trigger.replace('_', '-')} run)` +
          `${run.skipped > 0 ? `, standing for ${run.skipped} missed occurrence(s)` : ''}.`,
        link,
        reportId: report.id,
        runId: run.id,
        name: report.name,
        kind: report.kind,
        experimentKey: report.experimentKey,
        format: run.format,
        trigger: run.trigger,
        scheduledFor: run.scheduledFor.toISOString(),
        filename: file.filename,
        sizeBytes: file.content.length,
        sha256: file.sha256,
      };
      const base = {
        ownerKind: REPORT_OWNER,
        ownerId: report.id,
        eventKey: `report-run:${run.id}`,
        eventType: 'report.ready' as const,
        data,
        now,
      };
      const email = channels.filter((c) => c.type === 'email');
      const others = channels.filter((c) => c.type !== 'email');
      let n = await this.deliveries.enqueue({ ...base, channels: others }, trx);
      n += await this.deliveries.enqueue(
        {
          ...base,
          channels: email,
          attachment: {
            filename: file.filename,
            contentType: file.contentType,
            content: file.content.toString('base64'),
          },
        },
        trx,
      );
      await this.store.complete(run.id, file, n, now, trx);
      return n;
    });
    if (queued > 0) this.onQueued();
  }
}

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodeCursor(cursor: string): string {
  const v = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(v) || encodeCursor(v) !== cursor)
    throw new ValidationError([{ path: 'cursor', message: 'is not a cursor this service issued' }]);
  return v;
}

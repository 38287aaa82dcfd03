import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReportService, ReportView } from '../reports/report-service.js';
import type { RenderedFile, Run } from '../reports/report-store.js';
import { errorResponses, toIso } from '../schemas/common.js';
import {
  createReportBody,
  renderQuery,
  reportIdParams,
  reportListQuery,
  reportListSchema,
  reportSchema,
  runIdParams,
  runListSchema,
  runSchema,
  type ReportOut,
  type RunOut,
} from '../schemas/reports.js';
import { channelOut } from './alerts.js';

const tags = ['reports'];
const admin = { scope: 'admin' } as const;
const read = { scope: 'read' } as const;

/** Channel targets (webhook and Slack URLs are credentials) are shown to admin keys only. */
const reportOut = (v: ReportView, req: FastifyRequest): ReportOut => ({
  id: v.report.id,
  name: v.report.name,
  kind: v.report.kind,
  experimentKey: v.report.experimentKey,
  days: v.report.days,
  format: v.report.format,
  schedule: v.report.schedule,
  timezone: v.report.timezone,
  nextRunAt: toIso(v.report.nextRunAt),
  channels: v.channels.map((c) => {
    const out = channelOut(c, v.showSecrets);
    if (req.scope === 'admin') return out;
    const { url: _url, to: _to, ...rest } = out;
    return rest;
  }),
  lastRun: v.lastRun
    ? { id: v.lastRun.id, status: v.lastRun.status, createdAt: v.lastRun.createdAt.toISOString() }
    : null,
  createdAt: v.report.createdAt.toISOString(),
  updatedAt: v.report.updatedAt.toISOString(),
});

const runOut = (svc: ReportService, r: Run): RunOut => ({
  id: r.id,
  reportId: r.reportId,
  trigger: r.trigger,
  scheduledFor: r.scheduledFor.toISOString(),
  skipped: r.skipped,
  status: r.status,
  attempts: r.attempts,
  error: r.error,
  format: r.format,
  filename: r.filename,
  sizeBytes: r.sizeBytes,
  sha256: r.sha256,
  deliveries: r.deliveries,
  fileUrl: svc.fileUrl(r),
  createdAt: r.createdAt.toISOString(),
  completedAt: toIso(r.completedAt),
});

const fileResponse = z.string().describe('The PDF (application/pdf) or CSV (text/csv) file');

export default async function reportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.reports;

  const sendFile = (reply: FastifyReply, f: RenderedFile) =>
    reply
      .type(f.contentType)
      .header('content-disposition', `attachment; filename="${f.filename}"`)
      .header('x-content-sha256', f.sha256)
      .send(f.content);

  app.post(
    '/reports',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a report definition, optionally on a schedule',
        description:
          'kind growth: the K-factor cards, K by loop, top referrers, funnel, weekly cohorts and the daily timeline of the last ' +
          '`days` days (days in `timezone`); kind experiment: results per metric (target, decision-policy primary and guardrails) ' +
          'with intervals, SRM and the decision. schedule: a 5-field cron expression evaluated in `timezone`; each occurrence ' +
          'renders the report once and sends it to the channels (email with the file attached; webhook and Slack: report.ready ' +
          'with a link to the file). After downtime, the missed occurrences give one catch-up run.',
        body: createReportBody,
        response: { 201: reportSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => reply.code(201).send(reportOut(await svc.create(req.body), req)),
  );

  app.get(
    '/reports',
    {
      config: read,
      schema: {
        tags,
        summary: 'List report definitions with their next and last runs',
        querystring: reportListQuery,
        response: { 200: reportListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const page = await svc.list(req.query.limit, req.query.cursor);
      return { items: page.items.map((v) => reportOut(v, req)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/reports/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'One report definition',
        params: reportIdParams,
        response: { 200: reportSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => reportOut(await svc.get(req.params.id), req),
  );

  app.delete(
    '/reports/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a report definition, its runs and queued deliveries',
        params: reportIdParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await svc.delete(req.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/reports/:id/render',
    {
      config: read,
      schema: {
        tags,
        summary: 'Render the report now (PDF or CSV); nothing is recorded or sent',
        description:
          'CSV: the growth report’s cards, one row per figure {from, to, tz, conversionWindowDays, complete, figure, value}; the ' +
          'experiment report’s results rows (as GET …/results?format=csv) of every metric, with decision and decisionVariant. ' +
          'Format: ?format, else an Accept naming only text/csv or only application/pdf, else the report’s own.',
        params: reportIdParams,
        querystring: renderQuery,
        produces: ['application/pdf', 'text/csv'],
        response: { 200: fileResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      // Without ?format, an Accept that names only one of the two formats chooses it.
      const accept = req.headers.accept ?? '';
      const asked = /\btext\/csv\b/i.test(accept) !== /\bapplication\/pdf\b/i.test(accept);
      const format =
        req.query.format ?? (asked ? (/\btext\/csv\b/i.test(accept) ? 'csv' : 'pdf') : undefined);
      return sendFile(reply, await svc.render(req.params.id, format));
    },
  );

  app.post(
    '/reports/:id/runs',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Run the report now: render, record and deliver to its channels',
        params: reportIdParams,
        response: { 201: runSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => reply.code(201).send(runOut(svc, await svc.runNow(req.params.id))),
  );

  app.get(
    '/reports/:id/runs',
    {
      config: read,
      schema: {
        tags,
        summary: 'Runs of the report (scheduled, catch-up and manual), newest first',
        params: reportIdParams,
        querystring: reportListQuery,
        response: { 200: runListSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const page = await svc.runs(req.params.id, req.query.limit, req.query.cursor);
      return { items: page.items.map((r) => runOut(svc, r)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/reports/:id/runs/:runId/file',
    {
      config: read,
      schema: {
        tags,
        summary: 'The file a run rendered (the link in report.ready notifications)',
        params: runIdParams,
        produces: ['application/pdf', 'text/csv'],
        response: { 200: fileResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => sendFile(reply, await svc.file(req.params.id, req.params.runId)),
  );
}

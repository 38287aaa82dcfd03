import { z } from 'zod';
import { experimentKey, listQuery, timeZone } from './common.js';
import { channelOut, channelsIn } from './channels.js';

const REPORT_KINDS = ['growth', 'experiment'] as const;
const REPORT_FORMATS = ['pdf', 'csv'] as const;
const RUN_TRIGGERS = ['schedule', 'catch_up', 'manual'] as const;
const RUN_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const createReportBody = z
  .strictObject({
    name: z.string().min(1).max(200),
    kind: z.enum(REPORT_KINDS),
    experimentKey: experimentKey.optional().describe('Required for kind=experiment, refused for growth'),
    days: z
      .number()
      .int()
      .min(1, 'must be 1–365')
      .max(365, 'must be 1–365')
      .default(7)
      .describe('Growth: the window [run time − days × 24 h, run time)'),
    format: z.enum(REPORT_FORMATS).default('pdf'),
    schedule: z
      .string()
      .max(200)
      .nullable()
      .optional()
      .describe(
        '5-field cron (minute hour day-of-month month day-of-week) in `timezone`; absent or null = on demand only',
      ),
    timezone: timeZone.default('UTC').describe('IANA time zone of the schedule and of the report’s days'),
    channels: channelsIn.default([]),
  })
  .superRefine((b, ctx) => {
    if (b.kind === 'experiment' && b.experimentKey === undefined)
      ctx.addIssue({ code: 'custom', path: ['experimentKey'], message: 'is required for kind=experiment' });
    if (b.kind === 'growth' && b.experimentKey !== undefined)
      ctx.addIssue({ code: 'custom', path: ['experimentKey'], message: 'applies only to kind=experiment' });
  });
export type CreateReportInput = z.infer<typeof createReportBody>;

export const reportIdParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });
export const runIdParams = z.strictObject({
  id: z.uuid({ message: 'must be a UUID' }),
  runId: z.uuid({ message: 'must be a UUID' }),
});
export const reportListQuery = z.strictObject(listQuery);
export const renderQuery = z.strictObject({
  format: z.enum(REPORT_FORMATS).optional().describe("Default: the report's format"),
});

export const reportSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(REPORT_KINDS),
  experimentKey: z.string().nullable(),
  days: z.number(),
  format: z.enum(REPORT_FORMATS),
  schedule: z.string().nullable(),
  timezone: z.string(),
  nextRunAt: z.string().nullable().describe('The next scheduled run (UTC); null without a schedule'),
  channels: z
    .array(channelOut)
    .describe('Targets (url, to) are shown to admin keys only; a secret only in the answer that creates it'),
  lastRun: z.object({ id: z.string(), status: z.enum(RUN_STATUSES), createdAt: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ReportOut = z.infer<typeof reportSchema>;

export const reportListSchema = z.object({ items: z.array(reportSchema), nextCursor: z.string().nullable() });

export const runSchema = z.object({
  id: z.string(),
  reportId: z.string(),
  trigger: z
    .enum(RUN_TRIGGERS)
    .describe(
      'schedule: on time; catch_up: the one run made for occurrences missed while no instance ran; manual',
    ),
  scheduledFor: z.string().describe('The occurrence of the schedule (or the request time of a manual run)'),
  skipped: z.number().describe('Missed occurrences folded into this catch-up run'),
  status: z.enum(RUN_STATUSES),
  attempts: z.number().describe('Render attempts'),
  error: z.string().nullable(),
  format: z.enum(REPORT_FORMATS),
  filename: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  deliveries: z.number().describe('Notifications queued (one per enabled channel)'),
  fileUrl: z.string().nullable().describe('Download of the rendered file (read scope)'),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type RunOut = z.infer<typeof runSchema>;
export const runListSchema = z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() });

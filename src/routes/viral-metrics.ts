import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodObject, ZodType } from 'zod';
import { errorResponses } from '../schemas/common.js';
import * as s from '../schemas/metrics.js';
import { MAX_WINDOW_DAYS, resolveWindow, windowEchoSchema } from '../viral/window.js';
import type { CsvRow } from './csv.js';
import { sendCsvIfAsked } from './csv-reply.js';
/** A weekly timeline may cover ten years (520 periods); a daily one the usual 365 days. */
const MAX_TIMELINE_WEEKS = 520;

type Echo = { from: string; to: string; tz: string; conversionWindowDays: number; complete: boolean };
const echoOf = (r: Echo) => ({
  from: r.from,
  to: r.to,
  tz: r.tz,
  conversionWindowDays: r.conversionWindowDays,
  complete: r.complete,
});

/** CSV: one row per item, the window's fields repeated as columns. */
const rowsOf = <T extends Echo>(r: T, items: object[]): CsvRow[] =>
  items.map((i) => ({ ...echoOf(r), ...(i as CsvRow) }));

const tags = ['viral metrics'];

export default async function viralMetricsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.metrics;

  /** The CSV header of a list answer, from its schema, so that an empty window still has one. */
  const columnsOf = (
    response: ZodType,
    list: string | undefined,
    extra: string[] = [],
  ): string[] | undefined => {
    if (!list) return undefined;
    const item = ((response as ZodObject).shape[list] as unknown as { element: ZodObject }).element;
    return [
      ...(list === 'signals' ? [] : Object.keys(windowEchoSchema)),
      ...Object.keys(item.shape),
      ...extra,
    ];
  };

  function metric<Q extends ZodType, R>(
    path: string,
    doc: { summary: string; description: string },
    querystring: Q,
    response: ZodType,
    compute: (q: Q['_output']) => Promise<R>,
    csv: (r: R) => CsvRow[],
    list?: string,
    extraColumns: string[] = [],
  ) {
    const columns = columnsOf(response, list, extraColumns);
    app.get(
      `/metrics/${path}`,
      {
        config: { scope: 'read' },
        schema: { tags, ...doc, querystring, response: { 200: response, ...errorResponses(400, 401, 403) } },
      },
      async (req: FastifyRequest, reply: FastifyReply) => {
        const q = req.query as Q['_output'] & { format?: 'json' | 'csv' };
        // Identical requests running together share one computation (the format only shapes the answer).
        const { format: _format, ...params } = q;
        const result = await app.coalesce(`${path}?${JSON.stringify(params)}`, () => compute(q));
        if (sendCsvIfAsked(req, reply, q.format, csv(result), `${path.replace('/', '-')}.csv`, columns)) {
          return reply;
        }
        return result;
      },
    );
  }

  const WINDOW =
    ' Window: `days` (default 7) → [now − days×24 h, now), or [from, to), at most 365 days (the weekly timeline: 520 weeks). An invite belongs to the window in which it was sent; ' +
    'it is converted when signedUpAt − sentAt ≤ conversionWindowDays × 24 h (default 14). A ratio with denominator 0 is 0.';

  metric(
    'k-factor',
    {
      summary: 'K-factor, viral coefficient and their parts',
      description:
        'invites sent in the window; senders = distinct referrers; conversions = those invites that signed up; ' +
        'invitesPerSender = invites/senders; conversionRate = conversions/invites; kFactor = invitesPerSender × conversionRate; ' +
        'userBase = users signed up before the window ended; viralCoefficient = conversions/userBase; inviterShare = senders/userBase; ' +
        'status: excellent ≥ 1.2, good ≥ 1.0, warning ≥ 0.8, else poor.' +
        WINDOW,
    },
    s.metricsQuery,
    s.kFactorSchema,
    (q) => svc.kFactor(resolveWindow(q, 7)),
    (r) => [r as unknown as CsvRow],
  );

  metric(
    'k-factor/by-source',
    {
      summary: 'K-factor per viral loop (source)',
      description: 'The k-factor figures grouped by invite source.' + WINDOW,
    },
    s.metricsQuery,
    s.bySourceSchema,
    (q) => svc.bySource(resolveWindow(q, 7)),
    (r) => rowsOf(r, r.sources),
    'sources',
  );

  metric(
    'cycle-time',
    {
      summary: 'Viral cycle time: invite sent → signup, and the full loop',
      description:
        'Over converted invites of the window: p50, p90 (percentile_cont) and mean of signedUpAt − sentAt in seconds; ' +
        'fullLoop: p50 of invite sent → the invitee’s first own invite. null without values.' +
        WINDOW,
    },
    s.metricsQuery,
    s.cycleTimeSchema,
    (q) => svc.cycleTime(resolveWindow(q, 7)),
    (r) => [
      {
        ...echoOf(r),
        conversions: r.conversions,
        p50Seconds: r.p50Seconds,
        p90Seconds: r.p90Seconds,
        meanSeconds: r.meanSeconds,
        fullLoopCount: r.fullLoop.count,
        fullLoopP50Seconds: r.fullLoop.p50Seconds,
      },
    ],
  );

  metric(
    'top-referrers',
    {
      summary: 'Referrers of the window’s invites ranked by conversions, then invites',
      description:
        'invites, conversions and conversionRate = conversions/invites per referrer; limit 10 (max 100).' +
        WINDOW,
    },
    s.topReferrersQuery,
    s.topReferrersSchema,
    (q) => svc.topReferrers(resolveWindow(q, 7), q.limit),
    (r) => rowsOf(r, r.referrers),
    'referrers',
  );

  metric(
    'timeline',
    {
      summary: 'Growth timeline per day or ISO week in tz',
      description:
        'Per period: invites sent, clicks, signups (organic and referred), FVMs that occurred in it, and the kFactor ' +
        '(conversions/senders) of the invites sent in it. Every period of the window is listed, empty ones with zeros.' +
        WINDOW,
    },
    s.timelineQuery,
    s.timelineSchema,
    (q) =>
      svc.timeline(
        resolveWindow(q, 7, new Date(), q.granularity === 'week' ? MAX_TIMELINE_WEEKS * 7 : MAX_WINDOW_DAYS),
        q.granularity,
      ),
    (r) => rowsOf(r, r.periods),
    'periods',
  );

  metric(
    'cohorts',
    {
      summary: 'Weekly signup cohorts (ISO weeks, Monday 00:00 in tz)',
      description:
        'The last `weeks` weeks (default 12, current week included): size, invites its members ever sent, conversions of ' +
        'those invites (within conversionWindowDays), avgInvitesPerUser = invites/size, conversionRate = conversions/invites, ' +
        'kFactor = conversions/size. The last week is the one holding `to` (default now); days and from are only ' +
        'checked (from before to, at most 365 days apart).',
    },
    s.cohortsQuery,
    s.cohortsSchema,
    (q) => svc.cohorts(q.tz, q.conversionWindowDays, q.weeks, resolveWindow(q, 7).to),
    (r) => rowsOf(r, r.cohorts),
    'cohorts',
  );

  metric(
    'funnel',
    {
      summary: 'Invite funnel: invited → clicked → signed up → FVM reached',
      description:
        'Invites sent in the window (optionally one source). Each stage counts the invites that reached it: clicked (≥ 1 click), ' +
        'signed_up (converted), fvm_reached (the converted invitee reached FVM); conversionFromPrevious, conversionFromTop, ' +
        'and the median seconds from the previous stage’s time (sent → first click → signup → FVM).' +
        WINDOW,
    },
    s.sourceQuery,
    s.funnelSchema,
    (q) => svc.funnel(resolveWindow(q, 7), q.source),
    (r) => rowsOf(r, r.stages).map((row) => ({ ...row, source: r.source })),
    'stages',
    ['source'],
  );

  metric(
    'loop-efficiency',
    {
      summary: 'Which viral loops to scale: efficiency and recommendation per source',
      description:
        'Per source: kFactor, conversionRate, efficiencyScore = kFactor × conversionRate, roi = conversions/senders, ' +
        'recommendation by kFactor (scale_aggressively ≥ 1.2, continue_investing ≥ 1.0, optimize ≥ 0.8, else deprioritize); ' +
        'sorted by efficiencyScore, highest first. days defaults to 30.' +
        WINDOW,
    },
    s.metricsQuery,
    s.loopEfficiencySchema,
    (q) => svc.loopEfficiency(resolveWindow(q, 30)),
    (r) => rowsOf(r, r.loops),
    'loops',
  );

  metric(
    'summary',
    {
      summary: 'Everything the dashboard cards need, in one call',
      description:
        'The k-factor figures, cycle time, active referrers, K by source and the top 10 referrers.' + WINDOW,
    },
    s.metricsQuery,
    s.summarySchema,
    (q) => svc.summary(resolveWindow(q, 7)),
    (r) => {
      const { cycleTime, sources: _sources, topReferrers: _top, ...cards } = r;
      return [
        {
          ...cards,
          cycleP50Seconds: cycleTime.p50Seconds,
          cycleP90Seconds: cycleTime.p90Seconds,
          cycleMeanSeconds: cycleTime.meanSeconds,
        },
      ];
    },
  );

  metric(
    'fraud',
    {
      summary: 'Fraud signals per referrer (reported, never subtracted from metrics)',
      description:
        'self_referral: attempts where the invitee was the referrer; fast_conversion: invites signed up less than ' +
        'FRAUD_FAST_SECONDS (default 10) after sending; signup_burst: the most signups through the referrer’s invites within ' +
        'any one hour, listed when above FRAUD_BURST_PER_HOUR (default 20). Over all data, or the invites sent in ' +
        'days/from/to when given.',
    },
    s.fraudQuery,
    s.fraudSchema,
    (q) => svc.fraud(q.days || q.from || q.to ? resolveWindow(q, 7) : null),
    (r) => r.signals,
    'signals',
  );
}

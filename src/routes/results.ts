import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { resultsRows } from '../experiments/results-rows.js';
import type { ExperimentResults } from '../experiments/results-service.js';
import { errorResponses } from '../schemas/common.js';
import { keyParams } from '../schemas/experiments.js';
import {
  resultsSchema,
  resultsTimelineSchema,
  resultsWithCupedQuery,
  timelineQuery,
} from '../schemas/results.js';
import { sendCsvIfAsked } from './csv-reply.js';

const resultsOut = ({ bandit, ...r }: ExperimentResults) => ({
  ...r,
  computedAt: r.computedAt.toISOString(),
  ...(bandit
    ? {
        bandit: {
          periods: bandit.periods.map((p) => ({ ...p, startedAt: p.startedAt?.toISOString() ?? null })),
        },
      }
    : {}),
});

/** The CSV header of the timeline, so that an experiment without exposures still answers one. */
const TIMELINE_COLUMNS = [
  'experimentKey',
  'metric',
  'method',
  'date',
  'variant',
  'exposed',
  'converted',
  'conversionRate',
  'absoluteLift',
  'relativeLift',
  'pValue',
  'ciAbsoluteLow',
  'ciAbsoluteHigh',
  'ciRelativeLow',
  'ciRelativeHigh',
];

export default async function resultsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { results, timeline } = app.services;

  app.get(
    '/experiments/:key/results',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary: 'Per-variant results with z-test, CIs, multiple-comparison correction and SRM check',
        description:
          'Only exposed users count. converted = exposed users with ≥ 1 conversion of the metric at or after their first exposure ' +
          '(and before completedAt for a completed experiment). Two-proportion z-test with pooled SE, two-sided; ' +
          'CI of the absolute lift with the unpooled SE; CI of the relative lift by the delta method; ' +
          'pValueAdjusted by Holm (default), Bonferroni or none over the treatments; SRM: Pearson χ² of exposed users ' +
          'against the normalised weights, mismatch when p < 0.001. value: per exposed user sum of conversion values, Welch t-test. ' +
          'metric=retention_d7: among exposed users whose [first exposure + 7 × 24 h, + 8 × 24 h) has elapsed (eligible), ' +
          'those with an activity in it (retained = converted); rates, z-test, Bayesian and sequential over the eligible users; ' +
          'pending = exposed users not yet eligible; exposed and SRM use all exposed users. metric=ltv (horizonDays, default 30): ' +
          'per eligible user (horizon elapsed) the net revenue in [first exposure, + horizonDays × 24 h), refunds included; ' +
          'Welch in value; converted = eligible users with positive net revenue. For a completed experiment activity and ' +
          'revenue from completedAt on do not count. ' +
          'cuped=true: CUPED (θ = Cov(Y, X)/Var(X) over control and treatment, X from [firstExposure − cupedLookbackDays, ' +
          'firstExposure): revenue for ltv and valued metrics, else distinct UTC days with activity); the lift, z, p-value ' +
          'and intervals (value.* for valued metrics) become the adjusted ones, each row gains cuped {theta, adjustedMean, ' +
          'varianceReduction}. Bandits: rates, lifts and tests reweighted by weight period, SRM against each period’s weights. ' +
          'Answers CSV (one row per variant) for Accept: text/csv or ?format=csv.',
        params: keyParams,
        querystring: resultsWithCupedQuery,
        response: { 200: resultsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const r = await results.results(req.params.key, req.query);
      if (sendCsvIfAsked(req, reply, req.query.format, resultsRows(r), `${r.experimentKey}-results.csv`))
        return reply;
      return resultsOut(r);
    },
  );

  app.get(
    '/experiments/:key/results/timeline',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary:
          'Daily cumulative exposures, conversion rates, lift, p-value and interval, for the results chart',
        description:
          'For each day since the first exposure (in tz, default UTC): the results as they stood at the end of that day. ' +
          'Use method=sequential to watch it daily without inflating false positives. CSV: one row per day and variant. ' +
          'metric=k_factor adds, per variant and day, the cumulative invites and signups (within conversionWindowDays) ' +
          "of exposed users, kFactor = signups ÷ exposed users, and value: Welch's test of the per-user signups against " +
          'control (its confidence sequence with method=sequential), as in results.',
        params: keyParams,
        querystring: timelineQuery,
        response: { 200: resultsTimelineSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const r = await timeline.timeline(req.params.key, req.query);
      const rows = r.days.flatMap((d) =>
        d.variants.map((v) => ({
          experimentKey: r.experimentKey,
          metric: r.metric,
          method: r.method,
          date: d.date,
          variant: v.variant,
          exposed: v.exposed,
          converted: v.converted,
          conversionRate: v.conversionRate,
          absoluteLift: v.absoluteLift,
          relativeLift: v.relativeLift,
          pValue: v.pValue,
          ciAbsoluteLow: v.ci.absolute?.[0] ?? null,
          ciAbsoluteHigh: v.ci.absolute?.[1] ?? null,
          ciRelativeLow: v.ci.relative?.[0] ?? null,
          ciRelativeHigh: v.ci.relative?.[1] ?? null,
          invites: v.invites ?? null,
          signups: v.signups ?? null,
          kFactor: v.kFactor ?? null,
          valueMeanDifference: v.value?.meanDifference ?? null,
          valuePValue: v.value?.pValue ?? null,
          valueCiLow: v.value?.ci?.[0] ?? null,
          valueCiHigh: v.value?.ci?.[1] ?? null,
          eligible: v.eligible ?? null,
        })),
      );
      const csvName = `${r.experimentKey}-timeline.csv`;
      if (sendCsvIfAsked(req, reply, req.query.format, rows, csvName, TIMELINE_COLUMNS)) return reply;
      return r;
    },
  );

  app.post(
    '/experiments/:key/results/refresh',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary:
          'Recompute the results now (aggregates of big experiments are cached for RESULTS_CACHE_SECONDS)',
        params: keyParams,
        querystring: resultsWithCupedQuery,
        response: { 200: resultsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const r = await results.results(req.params.key, req.query, true);
      return resultsOut(r);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodObject, ZodType } from 'zod';
import { errorResponses } from '../schemas/common.js';
import * as s from '../schemas/growth.js';
import { resolveWindow, windowEchoSchema } from '../viral/window.js';
import type { CsvRow } from './csv.js';
import { sendCsvIfAsked } from './csv-reply.js';

const tags = ['growth metrics'];
const ECHO = Object.keys(windowEchoSchema);

const pick = (r: Record<string, unknown>, keys: string[]): CsvRow =>
  Object.fromEntries(keys.map((k) => [k, r[k] as CsvRow[string]]));

const WINDOW =
  ' Window: `days` → [now − days×24 h, now), or [from, to); cohorts and periods in `tz` (IANA, default UTC). ' +
  '"now" is the time of the request. JSON, or CSV with ?format=csv or Accept: text/csv.';

export default async function growthMetricsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.growthMetrics;

  function metric<Q extends ZodType, R extends Record<string, unknown>>(opts: {
    path: string;
    summary: string;
    description: string;
    querystring: Q;
    response: ZodObject;
    compute: (q: Q['_output']) => Promise<R>;
    /** CSV: one row per listed item, with the answer's scalar fields repeated. */
    csv: { columns: string[]; rows: (r: R) => Record<string, unknown>[] };
  }) {
    app.get(
      `/metrics/${opts.path}`,
      {
        config: { scope: 'read' },
        schema: {
          tags,
          summary: opts.summary,
          description: opts.description + WINDOW,
          querystring: opts.querystring,
          response: { 200: opts.response, ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = req.query as Q['_output'] & { format?: 'json' | 'csv' };
        // Identical requests running together share one computation (the format only shapes the answer).
        const { format: _format, ...params } = q;
        const result = await app.coalesce(`${opts.path}?${JSON.stringify(params)}`, () => opts.compute(q));
        const csvRows = () =>
          opts.csv.rows(result).map((row) => pick({ ...result, ...row }, opts.csv.columns));
        if (sendCsvIfAsked(req, reply, q.format, csvRows, `${opts.path}.csv`, opts.csv.columns)) return reply;
        return result;
      },
    );
  }

  metric({
    path: 'retention',
    summary: 'Retention by signup cohort (day or ISO week) and period',
    description:
      'Cohorts: users who signed up in the window (default days 90), by signup day or ISO week in tz; source keeps users ' +
      'referred through that loop ("organic" = without referrer). Period k of a user (P = 24 h or 7×24 h) is ' +
      '[signedUpAt + k·P, signedUpAt + (k+1)·P). Period 0: eligible = retained = size. For k ≥ 1 only users whose period k ' +
      'has fully elapsed are eligible; retained = eligible users with an activity in period k (mode=on) or at any time ' +
      '≥ signedUpAt + k·P (mode=on_or_after); rate = retained/eligible, null when nobody is eligible. overall sums ' +
      'eligible and retained across cohorts. periods (default 8) lists 0 … N−1 (day: up to 90, week: up to 52). Only ' +
      'cohorts with members are listed. complete: every listed period of every member has elapsed.',
    querystring: s.retentionQuery,
    response: s.retentionSchema,
    compute: (q) => svc.retention(resolveWindow(q, 90), q),
    csv: {
      columns: [
        ...ECHO,
        'granularity',
        'mode',
        'source',
        'cohortStart',
        'size',
        'period',
        'eligible',
        'retained',
        'rate',
      ],
      rows: (r) =>
        r.cohorts.flatMap((c) => c.periods.map((p) => ({ cohortStart: c.cohortStart, size: c.size, ...p }))),
    },
  });

  metric({
    path: 'ltv',
    summary: 'Lifetime value per acquisition loop',
    description:
      'Per source (the loop of the invite a user signed up through; organic otherwise) over users who signed up in the ' +
      'window (default days 90): users; matured = users with signedUpAt + horizonDays×24 h ≤ now; revenue = the matured ' +
      'users’ revenue in [signedUpAt, signedUpAt + horizon), refunds included; ltv = revenue/matured; payingShare = ' +
      'matured users with positive net revenue in that range / matured; both null when none matured. total: all sources. ' +
      'complete: every user matured. CSV: one row per source, then the total with source "(total)".',
    querystring: s.ltvQuery,
    response: s.ltvSchema,
    compute: (q) => svc.ltv(resolveWindow(q, 90), q.horizonDays),
    csv: {
      columns: [...ECHO, 'horizonDays', 'source', 'users', 'matured', 'revenue', 'ltv', 'payingShare'],
      rows: (r) => [...r.sources, { source: '(total)', ...r.total }],
    },
  });

  metric({
    path: 'attribution',
    summary: 'Multi-touch attribution of referred signups to loops and referrers',
    description:
      'For each referred signup of the window (default days 7; every one, whatever the conversion window), its touches: one ' +
      'per invite that the signup’s visitorId clicked in [signupAt − lookbackDays×24 h, signupAt] (at that visitor’s latest ' +
      'click on it), plus the converting invite when not among them (at its first click by anyone when not after the ' +
      'signup, else at the signup). Ordered by time, ties by invite id (byte order). Credits per signup sum to 1: ' +
      'first_touch, last_touch, linear (1/n), time_decay (∝ 2^(−(signupAt − touchAt)/halfLife), normalised), ' +
      'position_based (n=1: 1; n=2: ½ each; n≥3: 0.4 first, 0.4 last, 0.2/(n−2) each middle). Credit goes to the ' +
      'touched invite’s source and referrer (those with credit 0 are not listed); share = credit/signups. byReferrer lists ' +
      'the top `limit` (default 10).',
    querystring: s.attributionQuery,
    response: s.attributionSchema,
    compute: (q) => svc.attribution(resolveWindow(q, 7), q),
    csv: {
      columns: [
        ...ECHO,
        'model',
        'lookbackDays',
        'halfLifeDays',
        'signups',
        'multiTouchSignups',
        'source',
        'credit',
        'share',
      ],
      rows: (r) => r.bySource,
    },
  });

  metric({
    path: 'geo',
    summary: 'Signups, invites and K per country, and the strongest referral flows between countries',
    description:
      'Per country of the users (null: unknown, or a referrer who is not a registered user): signups (organic + referred) ' +
      'in the window (default days 7), referredSignups, invites sent in the window by users of that country, their ' +
      'senders and conversions (signed up within conversionWindowDays), kFactor = conversions/senders. flows: referred ' +
      'signups of the window by referrer’s country → invitee’s country where both are known, largest first (top 50). ' +
      'Sorted by signups, then invites. CSV: one row per country.',
    querystring: s.geoQuery,
    response: s.geoSchema,
    compute: (q) => svc.geo(resolveWindow(q, 7)),
    csv: {
      columns: [
        ...ECHO,
        'country',
        'signups',
        'referredSignups',
        'invites',
        'senders',
        'conversions',
        'kFactor',
      ],
      rows: (r) => r.countries,
    },
  });

  metric({
    path: 'forecast',
    summary: 'Signup forecast from the generation model, with an 80 % interval',
    description:
      'From the window (default days 30): organicPerDay O = organic signups ÷ window length in days; k = referred signups ' +
      'before `to` through invites sent by users who signed up in the window (each within conversionWindowDays of sending) ' +
      '÷ those users (0 without users); cycleDays L = max(1, round-half-up(p50 of referred signup − referrer’s signup, in ' +
      'days)), 1 without any. Per 24-hour step d = 1…horizonDays after `to` (date = its start): N_d = O + k·N_{d−L}, ' +
      'N_0 … N_{1−L} being the observed signups of the 24-hour slices ending at `to`. low/high: 10th/90th percentiles ' +
      '(linear interpolation) over 2,000 seeded draws of k ~ Gamma(referred + 1, rate = users) and O ~ Gamma(organic + 1, ' +
      'rate = window days). viral: k ≥ 1; steadyStatePerDay = O/(1 − k) when k < 1, else null. CSV: one row per step.',
    querystring: s.forecastQuery,
    response: s.forecastSchema,
    compute: (q) => svc.forecast(resolveWindow(q, 30), q.horizonDays),
    csv: {
      columns: [
        ...ECHO,
        'horizonDays',
        'k',
        'cycleDays',
        'organicPerDay',
        'users',
        'referred',
        'organic',
        'viral',
        'steadyStatePerDay',
        'date',
        'expected',
        'low',
        'high',
        'cumulativeExpected',
      ],
      rows: (r) => r.projection,
    },
  });
}

import { fieldError } from '../errors.js';
import { forecast } from '../stats/forecast.js';
import type { MetricsStore } from '../viral/metrics-store.js';
import { type Window, ratio, windowEcho } from '../viral/window.js';
import type { AttributionQuery, AttributionStore } from './attribution-store.js';
import type { ForecastStore } from './forecast-store.js';
import type { GeoStore } from './geo-store.js';
import type { LtvRow, RetentionQuery, RetentionStore } from './retention-store.js';

const DAY_MS = 86_400_000;
const MAX_PERIODS = { day: 90, week: 52 } as const;

/** rate = retained / eligible, null while nobody is eligible (never 0 for "not yet"). */
const rate = (retained: number, eligible: number) => (eligible === 0 ? null : retained / eligible);

const cell = (c: { period: number; eligible: number; retained: number }) => ({
  period: c.period,
  eligible: c.eligible,
  retained: c.retained,
  rate: rate(c.retained, c.eligible),
});

const ltvFigures = (r: LtvRow) => ({
  users: r.users,
  matured: r.matured,
  revenue: r.revenue,
  ltv: r.matured === 0 ? null : r.revenue / r.matured,
  payingShare: r.matured === 0 ? null : r.paying / r.matured,
});

export interface Stores {
  retention: RetentionStore;
  attribution: AttributionStore;
  geo: GeoStore;
  forecast: ForecastStore;
  /** The §4.2 completeness flag (invites of the window that can still convert). */
  viral: MetricsStore;
}

/** Retention, LTV, attribution, geography and forecast (SPEC §8.2–§8.6); "now" is the time of the request. */
export class GrowthMetricsService {
  constructor(private readonly stores: Stores) {}

  async retention(w: Window, q: RetentionQuery, now = new Date()) {
    if (q.periods > MAX_PERIODS[q.granularity]) {
      throw fieldError('periods', `must be 1–${MAX_PERIODS[q.granularity]} for granularity=${q.granularity}`);
    }
    const cells = await this.stores.retention.retention(w, q, now);
    const cohorts = new Map<
      number,
      { cohortStart: string; size: number; periods: ReturnType<typeof cell>[] }
    >();
    const overall = Array.from({ length: q.periods }, (_, period) => ({ period, eligible: 0, retained: 0 }));
    for (const c of cells) {
      const key = c.cohortStart.getTime();
      const cohort = cohorts.get(key) ?? {
        cohortStart: c.cohortStart.toISOString(),
        size: c.size,
        periods: [],
      };
      cohort.periods.push(cell(c));
      cohorts.set(key, cohort);
      overall[c.period]!.eligible += c.eligible;
      overall[c.period]!.retained += c.retained;
    }
    return {
      ...windowEcho(
        w,
        cells.every((c) => c.eligible === c.size),
      ),
      granularity: q.granularity,
      mode: q.mode,
      source: q.source ?? null,
      cohorts: [...cohorts.values()],
      overall: overall.map(cell),
    };
  }

  async ltv(w: Window, horizonDays: number, now = new Date()) {
    const rows = await this.stores.retention.ltv(w, horizonDays, now);
    const total = rows.find((r) => r.source === null) ?? {
      source: null,
      users: 0,
      matured: 0,
      revenue: 0,
      paying: 0,
    };
    return {
      ...windowEcho(w, total.matured === total.users),
      horizonDays,
      sources: rows.filter((r) => r.source !== null).map((r) => ({ source: r.source!, ...ltvFigures(r) })),
      total: ltvFigures(total),
    };
  }

  async attribution(w: Window, q: AttributionQuery, now = new Date()) {
    const [r, complete] = await Promise.all([
      this.stores.attribution.attribution(w, q),
      this.stores.viral.complete(w, now),
    ]);
    return {
      ...windowEcho(w, complete),
      model: q.model,
      lookbackDays: q.lookbackDays,
      halfLifeDays: q.halfLifeDays,
      signups: r.signups,
      multiTouchSignups: r.multiTouchSignups,
      bySource: r.bySource.map((s) => ({ ...s, share: ratio(s.credit, r.signups) })),
      byReferrer: r.byReferrer,
    };
  }

  async geo(w: Window, now = new Date()) {
    const [countries, flows, complete] = await Promise.all([
      this.stores.geo.countries(w),
      this.stores.geo.flows(w),
      this.stores.viral.complete(w, now),
    ]);
    return {
      ...windowEcho(w, complete),
      countries: countries.map((c) => ({ ...c, kFactor: ratio(c.conversions, c.senders) })),
      flows,
    };
  }

  async forecast(w: Window, horizonDays: number, now = new Date()) {
    const [inputs, complete] = await Promise.all([
      this.stores.forecast.inputs(w),
      this.stores.viral.complete(w, now),
    ]);
    // round-half-up of the median viral cycle in days, at least one day
    const cycleDays = inputs.p50Days === null ? 1 : Math.max(1, Math.floor(Number(inputs.p50Days) + 0.5));
    const observed = await this.stores.forecast.recentDays(w.to, cycleDays);
    const f = forecast({
      organic: inputs.organic,
      windowDays: (w.to.getTime() - w.from.getTime()) / DAY_MS,
      referred: inputs.referred,
      users: inputs.users,
      cycleDays,
      observed,
      horizon: horizonDays,
    });
    return {
      ...windowEcho(w, complete),
      horizonDays,
      k: f.k,
      cycleDays,
      organicPerDay: f.organicPerDay,
      users: inputs.users,
      referred: inputs.referred,
      organic: inputs.organic,
      viral: f.viral,
      steadyStatePerDay: f.steadyStatePerDay,
      projection: f.steps.map((s, d) => ({
        date: new Date(w.to.getTime() + d * DAY_MS).toISOString(),
        ...s,
      })),
    };
  }
}

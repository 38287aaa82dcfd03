import { type TestMethod, proportionsTest } from '../stats/proportions.js';
import { srmTest } from '../stats/srm.js';
import type { ComparisonFields, Correction } from '../stats/types.js';
import { AggregateCache } from './aggregate-cache.js';
import { type BanditCells, reweightBanditResults } from './bandit-results.js';
import type { BanditStore } from './bandit-store.js';
import { type CupedRow, applyCuped } from './cuped-results.js';
import type { CupedCovariate, CupedStore, CupedVariantSums } from './cuped-store.js';
import { fieldError } from '../errors.js';
import type { ExperimentStore } from './experiment-store.js';
import { experimentNotFound } from './experiment-service.js';
import type { ResultsStore, VariantAggregate } from './results-store.js';
import type { Experiment, ExperimentStatus } from './types.js';
import { type ValueStats, valueStats } from './value-stats.js';

/**
 * Values count per exposed user (the sum of the user's counted conversion values, 0 without one); for ltv per
 * eligible user.
 */
const valueArm = (a: VariantAggregate) => ({
  label: a.variant,
  users: a.eligible ?? a.exposed,
  valueSum: a.valueSum,
  valueVariance: a.valueVariance,
});

export interface ResultsQuery {
  metric?: string;
  alpha: number;
  correction: Correction;
  method: TestMethod;
  sequentialTuning?: number;
  /** k_factor only: signups count when within this many days of the invite. */
  conversionWindowDays?: number;
  /** ltv only: revenue counts in [firstExposure, firstExposure + horizonDays · 24 h). */
  horizonDays?: number;
  /** CUPED (SPEC §10.2): adjust by a pre-exposure covariate from this many days before first exposure. */
  cuped?: boolean;
  cupedLookbackDays?: number;
}

export const K_FACTOR = 'k_factor';
export const RETENTION_D7 = 'retention_d7';
export const LTV = 'ltv';

/** Metrics measured over a window after first exposure: only users whose window has elapsed are compared. */
const isWindowed = (metric: string) => metric === RETENTION_D7 || metric === LTV;

export type { ValueStats } from './value-stats.js';

export interface VariantResult extends ComparisonFields {
  variant: string;
  isControl: boolean;
  assigned: number;
  exposed: number;
  converted: number;
  conversionRate: number | null;
  value: ValueStats | null;
  /** With ?cuped=true. */
  cuped?: CupedRow | null;
  /** k_factor only. */
  invites?: number;
  signups?: number;
  kFactor?: number | null;
  /** retention_d7 and ltv: exposed users whose window has elapsed (the n of the comparison). */
  eligible?: number;
  /** retention_d7 and ltv: exposed users whose window has not elapsed yet. */
  pending?: number;
  /** retention_d7: eligible users active in their day-7 window (= converted). */
  retained?: number;
}

export interface ExperimentResults {
  experimentKey: string;
  status: ExperimentStatus;
  metric: string;
  method: TestMethod;
  controlVariant: string;
  alpha: number;
  correction: Correction;
  computedAt: Date;
  totals: { assigned: number; exposed: number; converted: number; eligible?: number; pending?: number };
  /** ltv only: the horizon in days. */
  horizonDays?: number;
  srm: { chiSquare: number | null; pValue: number | null; mismatch: boolean | null };
  variants: VariantResult[];
  warnings: string[];
  /** With ?cuped=true: the covariate and its window. */
  cuped?: { covariate: CupedCovariate; lookbackDays: number };
  /** Bandits: the weight periods the results were reweighted over. */
  bandit?: {
    periods: {
      period: number;
      startedAt: Date | null;
      exposed: number;
      weights: { variant: string; weight: number }[];
    }[];
  };
}

const EMPTY = (variant: string): VariantAggregate => ({
  variant,
  assigned: 0,
  exposed: 0,
  converted: 0,
  valueSum: 0,
  valued: 0,
  valueVariance: null,
});

export class ResultsService {
  constructor(
    private readonly experiments: ExperimentStore,
    private readonly store: ResultsStore,
    private readonly bandits: BanditStore,
    private readonly cache: AggregateCache,
    private readonly banditCache: AggregateCache<BanditCells>,
    private readonly cupedStore: CupedStore,
    private readonly cupedCache: AggregateCache<CupedVariantSums[]>,
  ) {}

  /** Results from the stored data; `refresh` recomputes even a cached aggregate of a big experiment. */
  async results(key: string, q: ResultsQuery, refresh = false): Promise<ExperimentResults> {
    const e = await this.experiments.findByKey(key);
    if (!e) throw experimentNotFound(key);
    const metric = q.metric ?? e.targetMetric;
    const completedAt = e.status === 'completed' ? e.completedAt : null;
    const cw = q.conversionWindowDays ?? 14;
    const horizon = q.horizonDays ?? 30;
    const { rows, computedAt } = await this.cache.get(
      [e.id, e.status, metric, metric === K_FACTOR ? cw : metric === LTV ? horizon : ''].join('|'),
      () => {
        // Eligibility is judged at the time of the request (SPEC §8: "now" is the request's time).
        const now = new Date();
        if (metric === K_FACTOR) return this.store.kFactorAggregate(e.id, completedAt, cw);
        if (metric === RETENTION_D7) return this.store.retentionD7Aggregate(e.id, completedAt, now);
        if (metric === LTV) return this.store.ltvAggregate(e.id, completedAt, horizon, now);
        return this.store.aggregate(e.id, metric, completedAt);
      },
      refresh,
    );
    const plain = {
      ...this.compute(e, metric, rows, q),
      ...(metric === LTV ? { horizonDays: horizon } : {}),
      computedAt,
    };
    if (q.cuped) return this.cuped(e, metric, plain, rows, q, refresh);
    // Windowed metrics are not bandit metrics: their outcomes come from activity and revenue, not conversions.
    if (e.type !== 'bandit' || metric === K_FACTOR || metric === RETENTION_D7 || metric === LTV) return plain;
    const cells = await this.banditCache.get(
      [e.id, e.status, metric].join('|'),
      async () => ({
        cells: await this.bandits.cells(e.id, metric, completedAt),
        periods: await this.bandits.periods(e.id),
      }),
      refresh,
    );
    return reweightBanditResults(e, plain, cells.rows, q);
  }

  /** CUPED-adjusted results: revenue as the covariate for ltv and valued metrics, else days with activity. */
  private async cuped(
    e: Experiment,
    metric: string,
    plain: ExperimentResults,
    rows: VariantAggregate[],
    q: ResultsQuery,
    refresh: boolean,
  ): Promise<ExperimentResults> {
    if (metric === K_FACTOR) throw fieldError('cuped', 'is not available for metric k_factor');
    if (e.type === 'bandit') throw fieldError('cuped', 'is not available for bandit experiments');
    const valued = metric === LTV || (metric !== RETENTION_D7 && rows.some((r) => r.valued > 0));
    const covariate: CupedCovariate = valued ? 'revenue' : 'activity_days';
    const lookbackDays = q.cupedLookbackDays ?? 14;
    const horizon = q.horizonDays ?? 30;
    const outcome =
      metric === RETENTION_D7 ? 'retention_d7' : metric === LTV ? 'ltv' : valued ? 'valued' : 'binomial';
    const { rows: sums } = await this.cupedCache.get(
      [e.id, e.status, metric, covariate, lookbackDays, metric === LTV ? horizon : ''].join('|'),
      () =>
        this.cupedStore.sums({
          experimentId: e.id,
          metric,
          completedAt: e.status === 'completed' ? e.completedAt : null,
          outcome,
          covariate,
          lookbackDays,
          now: new Date(),
          horizonHours: horizon * 24,
        }),
      refresh,
    );
    return applyCuped(plain, sums, q, { covariate, lookbackDays, valued });
  }

  /** Frequentist comparison of every treatment with the control, in the experiment's variant order. */
  private compute(
    e: Experiment,
    metric: string,
    rows: VariantAggregate[],
    q: ResultsQuery,
  ): ExperimentResults {
    const byVariant = new Map(rows.map((r) => [r.variant, r]));
    const control = byVariant.get(e.controlVariant) ?? EMPTY(e.controlVariant);
    const windowed = isWindowed(metric);
    const treatments = e.variants
      .filter((v) => v.key !== e.controlVariant)
      .map((v) => byVariant.get(v.key) ?? EMPTY(v.key));
    // retention_d7 and ltv compare the eligible users only; the pending ones have no outcome yet.
    const n = (a: VariantAggregate) => (windowed ? (a.eligible ?? 0) : a.exposed);
    const test = proportionsTest({
      control: { n: n(control), conversions: control.converted },
      treatments: treatments.map((t) => ({ n: n(t), conversions: t.converted })),
      alpha: q.alpha,
      correction: q.correction,
      method: q.method,
      tuning: q.sequentialTuning,
      labels: [control.variant, ...treatments.map((t) => t.variant)],
    });
    const warnings = [...test.warnings];
    const valued = metric === LTV || (metric !== RETENTION_D7 && rows.some((r) => r.valued > 0));
    const statsByVariant = new Map<string, VariantResult>();
    [control, ...treatments].forEach((agg, i) => {
      const s = test.variants[i]!;
      statsByVariant.set(agg.variant, {
        variant: agg.variant,
        isControl: i === 0,
        assigned: agg.assigned,
        exposed: agg.exposed,
        converted: agg.converted,
        conversionRate: s.conversionRate,
        absoluteLift: s.absoluteLift,
        relativeLift: s.relativeLift,
        zScore: s.zScore,
        pValue: s.pValue,
        pValueAdjusted: s.pValueAdjusted,
        significant: s.significant,
        ci: s.ci,
        // Beta-binomial posteriors describe conversion rates, not valued metrics.
        chanceToBeatControl: valued ? null : s.chanceToBeatControl,
        expectedLoss: valued ? null : s.expectedLoss,
        value: valued
          ? valueStats(valueArm(agg), i === 0 ? null : valueArm(control), {
              alpha: q.alpha,
              ...(q.method === 'sequential' ? { sequential: { tuning: q.sequentialTuning } } : {}),
              warnings,
            })
          : null,
        ...(agg.invites === undefined
          ? {}
          : {
              invites: agg.invites,
              signups: agg.valueSum,
              kFactor: agg.exposed > 0 ? agg.valueSum / agg.exposed : null,
            }),
        ...(windowed ? { eligible: agg.eligible ?? 0, pending: agg.pending ?? 0 } : {}),
        ...(metric === RETENTION_D7 ? { retained: agg.converted } : {}),
      });
    });
    const ordered = e.variants.map((v) => statsByVariant.get(v.key)!);
    const totalWeight = e.variants.reduce((s, v) => s + v.weight, 0);
    const srm = srmTest(
      ordered.map((v) => v.exposed),
      e.variants.map((v) => v.weight / totalWeight),
    );
    warnings.push(...srm.warnings);
    if (windowed && rows.length > 0 && ordered.every((v) => v.eligible === 0)) {
      warnings.push(
        `not_yet_eligible: no exposed user's ${metric === LTV ? 'horizon' : 'day-7 window'} has elapsed yet`,
      );
    } else if (rows.length > 0 && ordered.every((v) => v.converted === 0)) {
      warnings.push(`no_conversions: no counted conversion for metric "${metric}"`);
    }
    return {
      experimentKey: e.key,
      status: e.status,
      metric,
      method: q.method,
      controlVariant: e.controlVariant,
      alpha: q.alpha,
      correction: q.correction,
      computedAt: new Date(),
      totals: {
        assigned: ordered.reduce((s, v) => s + v.assigned, 0),
        exposed: ordered.reduce((s, v) => s + v.exposed, 0),
        converted: ordered.reduce((s, v) => s + v.converted, 0),
        ...(windowed
          ? {
              eligible: ordered.reduce((s, v) => s + (v.eligible ?? 0), 0),
              pending: ordered.reduce((s, v) => s + (v.pending ?? 0), 0),
            }
          : {}),
      },
      srm: { chiSquare: srm.chiSquare, pValue: srm.pValue, mismatch: srm.mismatch },
      variants: ordered,
      warnings,
    };
  }
}

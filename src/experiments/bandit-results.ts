import { banditComparison } from '../stats/bandit-results.js';
import { type PeriodCell, banditSrmTest, binomialCell, reweightByPeriod } from '../stats/bandit.js';
import type { BanditPeriod, PeriodCellRow } from './bandit-store.js';
import type { ExperimentResults, ResultsQuery } from './results-service.js';
import type { Experiment } from './types.js';

export interface BanditCells {
  cells: PeriodCellRow[];
  periods: BanditPeriod[];
}

/** One user's value sum: mean and sample variance of a cell from its sums (0 with a single user). */
const valueCell = (c: PeriodCellRow | undefined): PeriodCell => {
  const n = c?.exposed ?? 0;
  if (!c || n === 0) return { n: 0, mean: 0, variance: 0 };
  const mean = c.valueSum / n;
  return { n, mean, variance: n > 1 ? Math.max(0, (c.valueSumSq - n * mean * mean) / (n - 1)) : 0 };
};

/**
 * A bandit's results reweighted by weight period (SPEC §10.1): the comparison fields of every variant come from
 * mean_k = Σ_p w_p·mean_{k,p} and Var_k = Σ_p w_p²·var_{k,p}/n_{k,p} (w_p = N_p/N), so a base rate that drifts
 * while the weights move cannot bias them; the SRM check expects Σ_p N_p·weight_{k,p} users in variant k, with
 * the covariance of one multinomial draw per period (banditSrmTest).
 * Counts (assigned, exposed, converted, value sums) stay the plain totals.
 */
export function reweightBanditResults(
  e: Experiment,
  r: ExperimentResults,
  data: BanditCells,
  q: ResultsQuery,
): ExperimentResults {
  const order = [r.variants.find((v) => v.isControl)!, ...r.variants.filter((v) => !v.isControl)];
  const labels = order.map((v) => v.variant);
  const periodCount = data.periods.length + 1;
  const grid = new Map(data.cells.map((c) => [`${c.period}\u0000${c.variant}`, c]));
  const cellOf = (p: number, variant: string) => grid.get(`${p}\u0000${variant}`);
  const periods = Array.from({ length: periodCount }, (_, p) => p);
  const conversions = periods.map((p) =>
    labels.map((v) => {
      const c = cellOf(p, v);
      return binomialCell({ n: c?.exposed ?? 0, conversions: c?.converted ?? 0 });
    }),
  );
  const warnings = [...r.warnings];
  const common = {
    alpha: q.alpha,
    correction: q.correction,
    method: q.method,
    tuning: q.sequentialTuning,
    labels,
  };
  const rates = banditComparison({ arms: reweightByPeriod(conversions), ...common });
  warnings.push(...rates.warnings);
  const valued = order.some((v) => v.value !== null);
  const values = valued
    ? banditComparison({
        arms: reweightByPeriod(periods.map((p) => labels.map((v) => valueCell(cellOf(p, v))))),
        ...common,
      })
    : null;
  const variants = order.map((v, i) => {
    const t = i === 0 ? null : rates.treatments[i - 1]!;
    const mean = i === 0 ? rates.control.mean : t!.mean;
    const out = { ...v, conversionRate: mean };
    if (t) {
      Object.assign(out, {
        absoluteLift: t.absoluteLift,
        relativeLift: t.relativeLift,
        zScore: t.zScore,
        pValue: t.pValue,
        pValueAdjusted: t.pValueAdjusted,
        significant: t.significant,
        ci: t.ci,
        chanceToBeatControl: valued ? null : t.chanceToBeatControl,
        expectedLoss: valued ? null : t.expectedLoss,
      });
    }
    if (values && v.value) {
      const vt = i === 0 ? null : values.treatments[i - 1]!;
      out.value = {
        ...v.value,
        mean: i === 0 ? values.control.mean : vt!.mean,
        ...(vt ? { meanDifference: vt.absoluteLift, pValue: vt.pValue, ci: vt.ci.absolute } : {}),
      };
    }
    return out;
  });
  const weightsOf = (p: number) =>
    p === 0 ? e.variants.map(() => 1 / e.variants.length) : data.periods[p - 1]!.weights;
  const users = periods.map((p) => labels.reduce((s, v) => s + (cellOf(p, v)?.exposed ?? 0), 0));
  const byKey = new Map(e.variants.map((v, k) => [v.key, k]));
  const observed = labels.map((v) => periods.reduce((s, p) => s + (cellOf(p, v)?.exposed ?? 0), 0));
  const test = banditSrmTest(
    observed,
    periods.map((p) => ({ users: users[p]!, weights: labels.map((v) => weightsOf(p)[byKey.get(v)!]!) })),
  );
  warnings.push(...test.warnings);
  const srm = { chiSquare: test.chiSquare, pValue: test.pValue, mismatch: test.mismatch };
  const index = new Map(variants.map((v) => [v.variant, v]));
  return {
    ...r,
    variants: e.variants.map((v) => index.get(v.key)!),
    srm,
    warnings: [...new Set(warnings)],
    bandit: {
      periods: periods.map((p) => ({
        period: p,
        startedAt: p === 0 ? e.startedAt : data.periods[p - 1]!.startedAt,
        exposed: users[p]!,
        weights: e.variants.map((v, k) => ({ variant: v.key, weight: weightsOf(p)[k]! })),
      })),
    },
  };
}

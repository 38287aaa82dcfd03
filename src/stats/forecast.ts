// The generation model of signups (organic arrivals plus K times the signups one viral cycle earlier) and its
// interval from a seeded Monte Carlo over Gamma posteriors of K and the organic rate. Pure: numbers in, numbers out.

/** mulberry32: a small, fast, seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw by the Box–Muller transform (1 − u keeps the logarithm finite). */
function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/**
 * A Gamma(shape, rate) draw for shape ≥ 1 by Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables": d = shape − ⅓, c = 1/√(9d), accept v = (1 + cZ)³ when ln U < Z²/2 + d − dv + d ln v; returns dv/rate.
 */
export function gammaDraw(shape: number, rate: number, rnd: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(rnd);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - rnd()) < (z * z) / 2 + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** The q-quantile of sorted values by linear interpolation between order statistics (PostgreSQL's percentile_cont). */
export function quantileSorted(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * N_d = O + k·N_{d−L} for d = 1…H, where `observed` holds N_0, N_−1, …, N_{1−L} (the most recent first).
 * Returns N_1 … N_H.
 */
export function project(
  organicPerDay: number,
  k: number,
  cycleDays: number,
  observed: number[],
  horizon: number,
) {
  const n = [...observed.slice(0, cycleDays)].reverse();
  const out: number[] = [];
  for (let d = 1; d <= horizon; d++) {
    const next = organicPerDay + k * n[n.length - cycleDays]!;
    n.push(next);
    out.push(next);
  }
  return out;
}

export interface ForecastInput {
  organic: number;
  windowDays: number;
  referred: number;
  users: number;
  cycleDays: number;
  /** N_0, N_−1, …, N_{1−L}: observed signups of the 24-hour slices ending at the window's end, most recent first. */
  observed: number[];
  horizon: number;
  draws?: number;
  seed?: number;
}

export interface ForecastStep {
  expected: number;
  low: number;
  high: number;
  cumulativeExpected: number;
}

const FORECAST_DRAWS = 2000;
const FORECAST_SEED = 20261204;

/**
 * Point forecast with O = organic / windowDays and k = referred / users (0 without users), and an 80 % band: the
 * 10th and 90th percentiles per step over `draws` projections with k ~ Gamma(referred + 1, rate = users) and
 * O ~ Gamma(organic + 1, rate = windowDays) (the posteriors under flat priors of Poisson rates). Without users
 * there is no evidence of K, so its draws are 0.
 */
export function forecast(input: ForecastInput) {
  const { organic, windowDays, referred, users, cycleDays, observed, horizon } = input;
  const organicPerDay = organic / windowDays;
  const k = users === 0 ? 0 : referred / users;
  const expected = project(organicPerDay, k, cycleDays, observed, horizon);
  const rnd = mulberry32(input.seed ?? FORECAST_SEED);
  const draws = input.draws ?? FORECAST_DRAWS;
  const paths: number[][] = Array.from({ length: horizon }, () => new Array<number>(draws));
  for (let j = 0; j < draws; j++) {
    const kj = users === 0 ? 0 : gammaDraw(referred + 1, users, rnd);
    const oj = gammaDraw(organic + 1, windowDays, rnd);
    project(oj, kj, cycleDays, observed, horizon).forEach((v, d) => (paths[d]![j] = v));
  }
  let cumulative = 0;
  const steps: ForecastStep[] = expected.map((e, d) => {
    const sorted = paths[d]!.sort((a, b) => a - b);
    cumulative += e;
    return {
      expected: e,
      low: quantileSorted(sorted, 0.1),
      high: quantileSorted(sorted, 0.9),
      cumulativeExpected: cumulative,
    };
  });
  return {
    k,
    organicPerDay,
    viral: k >= 1,
    steadyStatePerDay: k < 1 ? organicPerDay / (1 - k) : null,
    steps,
  };
}

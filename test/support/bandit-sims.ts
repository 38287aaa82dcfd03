import {
  banditProbabilities,
  banditSrmExpected,
  banditSrmTest,
  banditWeights,
  binomialCell,
  reweightByPeriod,
} from '../../src/stats/bandit.js';
import { seededUniform } from '../../src/stats/random.js';
import { srmTest } from '../../src/stats/srm.js';

export interface BanditSimOptions {
  sims: number;
  arms: number;
  periods: number;
  usersPerPeriod: number;
  /** The true rate of arm k in period p. */
  rate: (arm: number, period: number) => number;
  minWeight: number;
  /** Draws per P(best) update (the service uses 10,000). */
  draws: number;
  seed: number;
}

interface Run {
  /** cells[p][k]: users and conversions of arm k in period p. */
  cells: { n: number; conversions: number }[][];
  /** weights[p]: the weights period p was allocated with. */
  weights: number[][];
  /** The weights the last update would open next. */
  finalWeights: number[];
}

/**
 * One bandit run as the service runs it: period 0 splits equally; after each period an update computes P(best)
 * from the cumulative counts (Beta(1 + c, 1 + n − c)), floors and renormalises the weights, and the next period's
 * users are allocated with them (each user independently, as hashing does) and convert at the period's rate.
 */
function runBandit(o: BanditSimOptions, uniform: () => number, sim: number): Run {
  let w = Array.from({ length: o.arms }, () => 1 / o.arms);
  const cells: Run['cells'] = [];
  const weights: number[][] = [];
  const total = Array.from({ length: o.arms }, () => ({ n: 0, conversions: 0 }));
  for (let p = 0; p < o.periods; p++) {
    weights.push(w);
    const row = Array.from({ length: o.arms }, () => ({ n: 0, conversions: 0 }));
    for (let i = 0; i < o.usersPerPeriod; i++) {
      let u = uniform();
      let k = 0;
      while (k < o.arms - 1 && u >= w[k]!) u -= w[k++]!;
      row[k]!.n++;
      if (uniform() < o.rate(k, p)) row[k]!.conversions++;
    }
    row.forEach((c, k) => {
      total[k]!.n += c.n;
      total[k]!.conversions += c.conversions;
    });
    cells.push(row);
    w = banditWeights(
      banditProbabilities(total, (o.seed * 7919 + sim * 104_729 + p) >>> 0, o.draws),
      o.minWeight,
    );
  }
  return { cells, weights, finalWeights: w };
}

const meanAndSe = (xs: number[]) => {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, se: Math.sqrt(variance / xs.length) };
};

/**
 * Bias of each arm's estimated rate against the rate of the whole population, Σ_p N_p·r_p / N (equal arms: the
 * estimand every arm shares), averaged over arms per run: period reweighting vs naive pooling. Naive pooling
 * weights each period by the arm's own traffic, so arms the bandit starved later lean on the early, lower rates.
 */
export function banditDriftBias(o: BanditSimOptions) {
  const uniform = seededUniform(o.seed);
  const reweighted: number[] = [];
  const naive: number[] = [];
  for (let s = 0; s < o.sims; s++) {
    const run = runBandit(o, uniform, s);
    const truth =
      run.cells.reduce((acc, row, p) => acc + row.reduce((n, c) => n + c.n, 0) * o.rate(0, p), 0) /
      (o.periods * o.usersPerPeriod);
    const arms = reweightByPeriod(run.cells.map((row) => row.map(binomialCell)));
    let r = 0;
    let n = 0;
    for (let k = 0; k < o.arms; k++) {
      r += arms[k]!.mean - truth;
      const users = run.cells.reduce((acc, row) => acc + row[k]!.n, 0);
      const conversions = run.cells.reduce((acc, row) => acc + row[k]!.conversions, 0);
      n += conversions / users - truth;
    }
    reweighted.push(r / o.arms);
    naive.push(n / o.arms);
  }
  return { reweighted: meanAndSe(reweighted), naive: meanAndSe(naive) };
}

/** How often the better arm (index `best`) has the largest weight after the last update. */
export function banditFindsBest(o: BanditSimOptions & { best: number }): number {
  const uniform = seededUniform(o.seed);
  let found = 0;
  for (let s = 0; s < o.sims; s++) {
    const w = runBandit(o, uniform, s).finalWeights;
    if (w.indexOf(Math.max(...w)) === o.best) found++;
  }
  return found / o.sims;
}

/**
 * SRM p-values of bandit runs whose allocation follows the period weights exactly: their distribution should be
 * uniform. Returns the rejection rate at 0.05 and the Kolmogorov–Smirnov distance to the uniform distribution.
 */
export function banditSrmUniformity(
  o: BanditSimOptions,
  test: (observed: number[], periods: { users: number; weights: number[] }[]) => number | null,
) {
  const uniform = seededUniform(o.seed);
  const ps: number[] = [];
  for (let s = 0; s < o.sims; s++) {
    const run = runBandit(o, uniform, s);
    const periods = run.cells.map((row, p) => ({
      users: row.reduce((a, c) => a + c.n, 0),
      weights: run.weights[p]!,
    }));
    const observed = Array.from({ length: o.arms }, (_, k) => run.cells.reduce((a, row) => a + row[k]!.n, 0));
    const p = test(observed, periods);
    if (p !== null) ps.push(p);
  }
  ps.sort((a, b) => a - b);
  const ks = ps.reduce(
    (d, p, i) => Math.max(d, Math.abs(p - i / ps.length), Math.abs(p - (i + 1) / ps.length)),
    0,
  );
  return { rejectRate: ps.filter((p) => p < 0.05).length / ps.length, ks, n: ps.length };
}

/** Pearson's χ² against the pooled expectation Σ_p N_p·weight_{k,p}. */
export const pearsonSrm = (observed: number[], periods: { users: number; weights: number[] }[]) =>
  srmTest(observed, banditSrmExpected(periods)).pValue;

/** The service's SRM test of a bandit (the covariance of one multinomial per period). */
export const periodSrm = (observed: number[], periods: { users: number; weights: number[] }[]) =>
  banditSrmTest(observed, periods).pValue;

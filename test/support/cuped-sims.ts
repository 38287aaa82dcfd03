import { type CupedSums, cupedCompare } from '../../src/stats/cuped.js';
import { normalSampler, seededUniform } from '../../src/stats/random.js';

/**
 * n users per arm with a pre-exposure covariate X ~ N(10, 2²) and an outcome Y = μ_k + ρ·3·(X − 10)/2 + √(1 − ρ²)·3·ε,
 * so corr(X, Y) = ρ, the control mean is 5 and the true lift `effect` (relative: effect/5). Per run, CUPED on the
 * sufficient statistics; returns the mean ratio adjusted/raw variance of the difference (≈ 1 − ρ²), how often the
 * 95 % intervals contain the true absolute and relative lifts, and how often p < 0.05.
 */
export function cupedSimulation(o: { sims: number; n: number; rho: number; effect: number; seed: number }) {
  const normal = normalSampler(seededUniform(o.seed));
  const arm = (mean: number): CupedSums => {
    const s: CupedSums = { n: o.n, sumY: 0, sumY2: 0, sumX: 0, sumX2: 0, sumXY: 0 };
    for (let i = 0; i < o.n; i++) {
      const x = 10 + 2 * normal();
      const y = mean + (o.rho * 3 * (x - 10)) / 2 + Math.sqrt(1 - o.rho * o.rho) * 3 * normal();
      s.sumY += y;
      s.sumY2 += y * y;
      s.sumX += x;
      s.sumX2 += x * x;
      s.sumXY += x * y;
    }
    return s;
  };
  let ratio = 0;
  let absolute = 0;
  let relative = 0;
  let rejected = 0;
  const trueRelative = o.effect / 5;
  for (let s = 0; s < o.sims; s++) {
    const r = cupedCompare(arm(5), arm(5 + o.effect), 0.05)!;
    ratio += 1 - r.varianceReduction!;
    if (r.absolute.ci[0] <= o.effect && o.effect <= r.absolute.ci[1]) absolute++;
    if (r.relative!.ci[0] <= trueRelative && trueRelative <= r.relative!.ci[1]) relative++;
    if (r.absolute.pValue! < 0.05) rejected++;
  }
  return {
    varianceRatio: ratio / o.sims,
    coverage: { absolute: absolute / o.sims, relative: relative / o.sims },
    rejectRate: rejected / o.sims,
  };
}

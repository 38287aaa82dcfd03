// npm run validate:stats: the simulation checks of test/unit/stats/simulation.test.ts at larger sizes, printed.
import {
  aaFalsePositiveRate,
  ciCoverage,
  holmFamilyWiseError,
  sequentialPeeking,
} from '../test/support/stat-sims.js';
import { cupedSimulation } from '../test/support/cuped-sims.js';
import {
  banditDriftBias,
  banditFindsBest,
  banditSrmUniformity,
  pearsonSrm,
  periodSrm,
} from '../test/support/bandit-sims.js';

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const rows: [string, string, string][] = [];
const time = <T>(f: () => T): T => f();

const aa = time(() => aaFalsePositiveRate({ sims: 20_000, n: 2000, p: 0.1, seed: 101 }));
rows.push(['A/A false-positive rate, fixed z-test (20,000 sims)', pct(aa), '5 % ± 1 %']);
const cov = time(() => ciCoverage({ sims: 20_000, n: 3000, pControl: 0.1, pTreatment: 0.12, seed: 102 }));
rows.push(['95 % CI coverage, absolute lift', pct(cov.absolute), '95 % ± 1 %']);
rows.push(['95 % CI coverage, relative lift (delta method)', pct(cov.relative), '95 % ± 1 %']);
const null30 = sequentialPeeking({
  sims: 2000,
  days: 30,
  perDay: 500,
  pControl: 0.1,
  pTreatment: 0.1,
  seed: 103,
});
rows.push(['A/A peeked daily for 30 days, sequential (2,000 sims)', pct(null30.rejectRate), '≤ 5 %']);
rows.push([
  'A/A peeked daily for 30 days, fixed z-test',
  pct(null30.fixedRejectRate),
  '(inflated: why sequential exists)',
]);
const power = sequentialPeeking({
  sims: 2000,
  days: 30,
  perDay: 500,
  pControl: 0.1,
  pTreatment: 0.115,
  seed: 104,
});
rows.push(['Power 10 % → 11.5 %, 500/arm/day, 30 days, sequential', pct(power.rejectRate), '≥ 60 %']);
const fwer = holmFamilyWiseError({ sims: 20_000, n: 2000, p: 0.1, treatments: 4, seed: 105 });
rows.push(['Family-wise error, Holm, 4 treatments (20,000 sims)', pct(fwer), '≤ 5 %']);
for (const rho of [0.3, 0.5, 0.8]) {
  const s = cupedSimulation({ sims: 5000, n: 500, rho, effect: 0.3, seed: 106 });
  rows.push([
    `CUPED ρ = ${rho}: adjusted/raw variance (5,000 sims)`,
    s.varianceRatio.toFixed(4),
    `${(1 - rho * rho).toFixed(2)} ± 0.03`,
  ]);
  rows.push([`CUPED ρ = ${rho}: 95 % CI coverage, absolute`, pct(s.coverage.absolute), '94–96 %']);
  rows.push([`CUPED ρ = ${rho}: 95 % CI coverage, relative`, pct(s.coverage.relative), '94–96 %']);
}
const cupedAa = cupedSimulation({ sims: 5000, n: 500, rho: 0.7, effect: 0, seed: 107 });
rows.push(['CUPED A/A false-positive rate (5,000 sims)', pct(cupedAa.rejectRate), '5 % ± 1 %']);

const bandit = { arms: 5, periods: 10, minWeight: 0.01 };
const drift = banditDriftBias({
  ...bandit,
  sims: 500,
  usersPerPeriod: 2000,
  draws: 2000,
  seed: 108,
  rate: (_k, p) => 0.05 + (0.05 * p) / 9,
});
const bias = (b: { mean: number; se: number }) => `${b.mean.toFixed(5)} ± ${b.se.toFixed(5)}`;
rows.push([
  'Bandit, 5 equal arms, rate 5 → 10 % over 10 periods: bias, reweighted',
  bias(drift.reweighted),
  '0 within 3 SE',
]);
rows.push(['Bandit, same runs: bias, naive pooling', bias(drift.naive), '(biased: why reweighting exists)']);
const best = banditFindsBest({
  ...bandit,
  sims: 500,
  usersPerPeriod: 2000,
  draws: 2000,
  seed: 109,
  best: 2,
  rate: (k) => (k === 2 ? 0.12 : 0.1),
});
rows.push(['Bandit, one arm 12 % vs 10 %: it ends with the largest weight (500 runs)', pct(best), '≥ 90 %']);
const srmRuns = {
  ...bandit,
  sims: 2000,
  usersPerPeriod: 1000,
  draws: 500,
  seed: 110,
  rate: (k: number) => (k === 0 ? 0.13 : 0.1),
};
const srm = banditSrmUniformity(srmRuns, periodSrm);
const ksCritical = 1.36 / Math.sqrt(srm.n);
rows.push([
  'Bandit SRM p-values under correct allocation: p < 0.05 (2,000 runs)',
  pct(srm.rejectRate),
  '5 % ± 1 %',
]);
rows.push([
  'Bandit SRM p-values: Kolmogorov–Smirnov distance to uniform',
  srm.ks.toFixed(4),
  `< ${ksCritical.toFixed(4)}`,
]);
const pearson = banditSrmUniformity(srmRuns, pearsonSrm);
rows.push([
  'Same runs, Pearson χ² on pooled expectations: KS distance',
  pearson.ks.toFixed(4),
  '(not uniform: conservative)',
]);

const width = Math.max(...rows.map((r) => r[0].length));
for (const [name, value, target] of rows)
  console.log(`${name.padEnd(width)}  ${value.padStart(8)}   target ${target}`);

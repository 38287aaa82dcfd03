// npm run validate:stats: the simulation checks of test/unit/stats/simulation.test.ts at larger sizes, printed.
import {
  aaFalsePositiveRate,
  ciCoverage,
  holmFamilyWiseError,
  sequentialPeeking,
} from '../test/support/stat-sims.js';
import { cupedSimulation } from '../test/support/cuped-sims.js';

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

const width = Math.max(...rows.map((r) => r[0].length));
for (const [name, value, target] of rows)
  console.log(`${name.padEnd(width)}  ${value.padStart(8)}   target ${target}`);

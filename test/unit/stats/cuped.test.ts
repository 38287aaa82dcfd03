// src/stats/cuped.ts against numpy + statsmodels on the raw users (test/reference/cuped.py → fixtures/reference/cuped.json),
// and by simulation with a fixed seed (larger runs in npm run validate:stats).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { type CupedSums, cupedCompare } from '../../../src/stats/cuped.js';
import { cupedSimulation } from '../../support/cuped-sims.js';

interface Case {
  name: string;
  control: CupedSums;
  treatment: CupedSums;
  expected: {
    theta: number | null;
    adjustedMean: [number, number];
    estimate: number;
    standardError: number;
    zScore: number;
    pValue: number;
    ci: [number, number];
    relative: { estimate: number; standardError: number; ci: [number, number] };
    varianceReduction: number;
  };
}
const { cases } = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/cuped.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const close = (a: number | null | undefined, b: number, tol = 1e-8) =>
  a !== null && a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

t.test('CUPED from sufficient statistics matches numpy/statsmodels on the raw users', async (t) => {
  t.ok(cases.length >= 5);
  for (const c of cases) {
    const r = cupedCompare(c.control, c.treatment, 0.05)!;
    const e = c.expected;
    if (e.theta === null) t.equal(r.theta, null, `${c.name}: theta`);
    else t.ok(close(r.theta, e.theta), `${c.name}: theta ${r.theta} vs ${e.theta}`);
    t.ok(close(r.control.adjustedMean, e.adjustedMean[0]), `${c.name}: control adjusted mean`);
    t.ok(close(r.treatment.adjustedMean, e.adjustedMean[1]), `${c.name}: treatment adjusted mean`);
    t.ok(close(r.absolute.estimate, e.estimate), `${c.name}: difference`);
    t.ok(close(r.absolute.standardError, e.standardError), `${c.name}: SE ${r.absolute.standardError}`);
    t.ok(close(r.absolute.zScore, e.zScore), `${c.name}: z`);
    t.ok(close(r.absolute.pValue, e.pValue), `${c.name}: p ${r.absolute.pValue} vs ${e.pValue}`);
    t.ok(close(r.absolute.ci[0], e.ci[0]) && close(r.absolute.ci[1], e.ci[1]), `${c.name}: ci`);
    t.ok(close(r.relative!.estimate, e.relative.estimate), `${c.name}: relative lift`);
    t.ok(close(r.relative!.standardError, e.relative.standardError), `${c.name}: relative SE`);
    t.ok(close(r.relative!.ci[0], e.relative.ci[0]) && close(r.relative!.ci[1], e.relative.ci[1]));
    t.ok(close(r.varianceReduction, e.varianceReduction, 1e-7), `${c.name}: variance reduction`);
  }
});

t.test(
  'degenerate inputs: constant covariate falls back with a warning; fewer than 2 users is null',
  async (t) => {
    const flat = cases.find((c) => c.name === 'constant covariate')!;
    const r = cupedCompare(flat.control, flat.treatment, 0.05, 'b')!;
    t.equal(r.theta, null);
    t.equal(r.varianceReduction, 0);
    t.equal(r.control.adjustedMean, r.control.mean);
    t.match(r.warnings, [/^cuped_zero_covariate_variance: b vs control/]);
    const one = { n: 1, sumY: 1, sumY2: 1, sumX: 1, sumX2: 1, sumXY: 1 };
    t.equal(cupedCompare(one, flat.treatment, 0.05), null);
    // no outcome variance at all: SE 0, interval [d, d], no z or p
    const still = { n: 3, sumY: 6, sumY2: 12, sumX: 3, sumX2: 5, sumXY: 6 };
    const z = cupedCompare(still, still, 0.05)!;
    t.same(z.absolute.ci, [0, 0]);
    t.equal(z.absolute.pValue, null);
    t.match(z.warnings, [/^zero_standard_error/]);
    t.equal(z.varianceReduction, null);
    const zero = { n: 3, sumY: 0, sumY2: 0, sumX: 3, sumX2: 5, sumXY: 0 };
    t.equal(cupedCompare(zero, still, 0.05)!.relative, null, 'control mean 0: no relative lift');
  },
);

t.test(
  'simulation: adjusted/raw variance ≈ 1 − ρ² (± 0.03), 95 % intervals cover, A/A near 5 %',
  async (t) => {
    for (const [rho, seed] of [
      [0.5, 11],
      [0.8, 12],
    ] as const) {
      const s = cupedSimulation({ sims: 300, n: 300, rho, effect: 0.4, seed });
      t.ok(
        Math.abs(s.varianceRatio - (1 - rho * rho)) < 0.03,
        `ρ = ${rho}: ratio ${s.varianceRatio.toFixed(4)}`,
      );
      // 300 runs: coverage standard error 1.3 %, so 91–99 % is ±3 standard errors
      t.ok(
        s.coverage.absolute > 0.91 && s.coverage.absolute < 0.99,
        `absolute coverage ${s.coverage.absolute}`,
      );
      t.ok(
        s.coverage.relative > 0.91 && s.coverage.relative < 0.99,
        `relative coverage ${s.coverage.relative}`,
      );
    }
    const aa = cupedSimulation({ sims: 600, n: 200, rho: 0.7, effect: 0, seed: 13 });
    t.ok(aa.rejectRate > 0.02 && aa.rejectRate < 0.08, `A/A false positives ${aa.rejectRate}`);
  },
);

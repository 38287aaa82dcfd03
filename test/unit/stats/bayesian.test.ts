// src/stats/bayesian.ts against mpmath at 60 digits (test/reference/bayesian.py → fixtures/reference/bayesian.json).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import t from 'tap';
import { bayesianProportions } from '../../../src/stats/bayesian.js';
import type { ArmCounts } from '../../../src/stats/types.js';

interface Case {
  control: ArmCounts;
  treatment: ArmCounts;
  chanceToBeatControl: number;
  expectedLoss: number;
}
const { cases } = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/bayesian.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

t.test('chance to beat control within 1e-7, expected loss within 1e-5 (1e-6 below 1e-12)', async (t) => {
  t.ok(cases.length >= 10);
  for (const c of cases) {
    const r = bayesianProportions(c.control, c.treatment);
    const name = JSON.stringify([c.control, c.treatment]);
    t.ok(
      Math.abs(r.chanceToBeatControl! - c.chanceToBeatControl) <= 1e-7,
      `P ${name}: ${r.chanceToBeatControl}`,
    );
    const tol = c.expectedLoss < 1e-12 ? 1e-6 : 1e-5;
    const rel = Math.abs(r.expectedLoss! - c.expectedLoss) / c.expectedLoss;
    t.ok(
      rel <= tol,
      `loss ${name}: ${r.expectedLoss} vs ${c.expectedLoss} (relative ${rel.toExponential(2)})`,
    );
  }
});

t.test('tiny losses do not underflow to 0', async (t) => {
  const r = bayesianProportions({ n: 1e6, conversions: 1e5 }, { n: 1e6, conversions: 1.1e5 });
  t.ok(r.expectedLoss! > 0 && r.expectedLoss! < 1e-100);
});

t.test('properties: probabilities in [0, 1], complementary, loss ≥ 0, never NaN', async (t) => {
  const arm = fc
    .record({ n: fc.integer({ min: 0, max: 20_000 }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ n, share }) => ({ n, conversions: Math.floor(n * share) }));
  fc.assert(
    fc.property(arm, arm, (a, b) => {
      const ab = bayesianProportions(a, b);
      const ba = bayesianProportions(b, a);
      const p = ab.chanceToBeatControl!;
      return (
        p >= 0 &&
        p <= 1 &&
        Math.abs(p + ba.chanceToBeatControl! - 1) < 1e-9 &&
        ab.expectedLoss! >= 0 &&
        Number.isFinite(ab.expectedLoss)
      );
    }),
    { numRuns: 500, seed: 4 },
  );
  t.pass();
});

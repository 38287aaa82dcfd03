// src/stats/sample-size.ts against R's power.prop.test (test/reference/sample-size.R).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { sampleSize, targetRate } from '../../../src/stats/sample-size.js';

interface Case {
  baselineRate: number;
  relativeEffect: number;
  alpha: number;
  power: number;
  n: number;
  perVariant: number;
}
const cases = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/sample-size.json', import.meta.url), 'utf8'),
) as Case[];

t.test('perVariant equals ceiling(power.prop.test(...)$n)', async (t) => {
  t.ok(cases.length >= 15);
  for (const c of cases) {
    const r = sampleSize({
      baselineRate: c.baselineRate,
      minDetectableEffect: c.relativeEffect,
      effect: 'relative',
      alpha: c.alpha,
      power: c.power,
      variants: 2,
    });
    t.equal(r.perVariant, c.perVariant, JSON.stringify(c));
    t.equal(r.total, 2 * c.perVariant);
  }
});

t.test('more variants split alpha (Bonferroni); days from daily users; absolute effects', async (t) => {
  const three = sampleSize({
    baselineRate: 0.1,
    minDetectableEffect: 0.05,
    effect: 'relative',
    alpha: 0.05,
    power: 0.8,
    variants: 4,
    dailyUsers: 1000,
  });
  const ref = cases.find((c) => c.relativeEffect === 0.05 && Math.abs(c.alpha - 0.05 / 3) < 1e-12)!;
  t.equal(three.perVariant, ref.perVariant);
  t.equal(three.total, 4 * ref.perVariant);
  t.equal(three.days, Math.ceil((4 * ref.perVariant) / 1000));
  t.match(three.method, /Bonferroni/);
  const abs = sampleSize({
    baselineRate: 0.1,
    minDetectableEffect: 0.01,
    effect: 'absolute',
    alpha: 0.05,
    power: 0.8,
    variants: 2,
  });
  t.equal(abs.perVariant, cases[0]!.perVariant, 'an absolute +0.01 on 10 % is a relative +10 %');
  t.equal(abs.days, undefined);
  t.equal(targetRate(0.2, -0.5, 'relative'), 0.1);
});

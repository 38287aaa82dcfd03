import fc from 'fast-check';
import t from 'tap';
import { welchTest } from '../../../src/stats/means.js';
import { compareProportions, proportionsTest } from '../../../src/stats/proportions.js';
import { srmTest } from '../../../src/stats/srm.js';

const finiteOrNull = (v: unknown): boolean =>
  v === null ||
  typeof v === 'boolean' ||
  typeof v === 'string' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (Array.isArray(v) && v.every(finiteOrNull)) ||
  (typeof v === 'object' && Object.values(v as object).every(finiteOrNull));

t.test('n = 0 in an arm: rate and comparisons are null, with a warning', async (t) => {
  const r = proportionsTest({
    control: { n: 0, conversions: 0 },
    treatments: [{ n: 10, conversions: 3 }],
    alpha: 0.05,
    correction: 'holm',
  });
  t.equal(r.variants[0]!.conversionRate, null);
  t.equal(r.variants[1]!.conversionRate, 0.3);
  t.match(r.variants[1], {
    absoluteLift: null,
    zScore: null,
    pValue: null,
    pValueAdjusted: null,
    significant: null,
    // the posterior of an arm without users is the prior: no data, so no Bayesian statistics either
    chanceToBeatControl: null,
    expectedLoss: null,
  });
  t.same(r.variants[1]!.ci, { level: 0.95, absolute: null, relative: null });
  t.match(
    r.warnings[0],
    /^no_data: control has no users .*chance to beat control and expected loss of treatment 1 are null/,
  );
});

t.test('all-zero counts: zero pooled variance, SE 0 → [d, d], control rate 0 → relative null', async (t) => {
  const c = compareProportions({ n: 100, conversions: 0 }, { n: 80, conversions: 0 }, 0.05);
  t.equal(c.absoluteLift, 0);
  t.equal(c.zScore, null);
  t.equal(c.pValue, null);
  t.same(c.ci.absolute, [0, 0]);
  t.equal(c.relativeLift, null);
  t.equal(c.ci.relative, null);
  t.same(
    c.warnings.map((w) => w.split(':')[0]),
    ['zero_standard_error', 'zero_pooled_variance', 'zero_control_rate'],
  );
  const all = compareProportions({ n: 5, conversions: 5 }, { n: 5, conversions: 5 }, 0.05);
  t.equal(all.zScore, null);
  t.same(all.ci.absolute, [0, 0]);
  t.equal(all.relativeLift, 0);
  t.same(all.ci.relative, [0, 0]);
});

t.test('n = 1 and zero variance in Welch', async (t) => {
  const one = welchTest({ n: 1, mean: 3, variance: 0 }, { n: 5, mean: 4, variance: 2 }, 0.05);
  t.equal(one.meanDifference, 1);
  t.equal(one.degreesOfFreedom, null);
  t.equal(one.pValue, null);
  t.match(one.warnings[0], /^too_few_observations/);
  const flat = welchTest({ n: 10, mean: 2, variance: 0 }, { n: 10, mean: 2.5, variance: 0 }, 0.05);
  t.equal(flat.standardError, 0);
  t.same(flat.ci.absolute, [0.5, 0.5]);
  t.equal(flat.tStatistic, null);
  t.equal(flat.significant, null);
  const none = welchTest({ n: 0, mean: 0, variance: 0 }, { n: 3, mean: 1, variance: 1 }, 0.05);
  t.equal(none.meanDifference, null);
});

t.test('SRM with no observations is null', async (t) => {
  const s = srmTest([0, 0], [1, 1]);
  t.same(s, {
    chiSquare: null,
    degreesOfFreedom: 1,
    pValue: null,
    mismatch: null,
    expected: [0, 0],
    warnings: [s.warnings[0]],
  });
  t.match(s.warnings[0], /^no_data/);
  t.equal(srmTest([500, 500], [1, 1]).chiSquare, 0);
  t.equal(srmTest([500, 500], [1, 1]).pValue, 1);
});

const arm = fc
  .record({ n: fc.integer({ min: 0, max: 1_000_000 }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ n, share }) => ({ n, conversions: Math.floor(n * share) }));

t.test('properties of the proportion test', async (t) => {
  fc.assert(
    fc.property(arm, arm, fc.double({ min: 0.001, max: 0.5, noNaN: true }), (a, b, alpha) => {
      const ab = compareProportions(a, b, alpha);
      const ba = compareProportions(b, a, alpha);
      if (!finiteOrNull(ab)) return false;
      if (ab.pValue !== null && !(ab.pValue >= 0 && ab.pValue <= 1)) return false;
      if (ab.pValue !== ba.pValue) return false;
      if (ab.zScore !== null && Math.abs(ab.zScore + ba.zScore!) > 1e-9) return false;
      if (ab.absoluteLift !== null && Math.abs(ab.absoluteLift + ba.absoluteLift!) > 1e-12) return false;
      const [lo, hi] = ab.ci.absolute ?? [0, 0];
      if (ab.absoluteLift !== null && !(lo <= ab.absoluteLift && ab.absoluteLift <= hi)) return false;
      const [rlo, rhi] = ab.ci.relative ?? [0, 0];
      return ab.relativeLift === null || (rlo <= ab.relativeLift && ab.relativeLift <= rhi);
    }),
    { numRuns: 2000, seed: 1 },
  );
  t.pass('symmetry, p in [0, 1], CIs contain the estimate, never NaN or Infinity');
});

t.test('properties of Welch and SRM', async (t) => {
  const moments = fc.record({
    n: fc.integer({ min: 0, max: 100_000 }),
    mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    variance: fc.double({ min: 0, max: 1e6, noNaN: true }),
  });
  fc.assert(
    fc.property(moments, moments, (a, b) => {
      const w = welchTest(a, b, 0.05);
      const r = welchTest(b, a, 0.05);
      if (!finiteOrNull(w)) return false;
      if (w.pValue !== null && !(w.pValue >= 0 && w.pValue <= 1)) return false;
      return w.tStatistic === null || Math.abs(w.tStatistic + r.tStatistic!) <= 1e-9 * Math.abs(w.tStatistic);
    }),
    { numRuns: 1000, seed: 2 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 2, maxLength: 10 }),
      fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 10, maxLength: 10 }),
      (obs, ws) => {
        const s = srmTest(obs, ws.slice(0, obs.length));
        return finiteOrNull(s) && (s.pValue === null || (s.pValue >= 0 && s.pValue <= 1));
      },
    ),
    { numRuns: 1000, seed: 3 },
  );
  t.pass('p in [0, 1], t flips sign when arms swap, never NaN or Infinity');
});

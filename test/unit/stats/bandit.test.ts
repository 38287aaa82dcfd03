import t from 'tap';
import {
  banditProbabilities,
  banditSrmExpected,
  banditSrmTest,
  banditWeights,
  binomialCell,
  reweightByPeriod,
} from '../../../src/stats/bandit.js';
import { bayesianProportions } from '../../../src/stats/bayesian.js';
import { gammaSample, normalSampler, seededUniform } from '../../../src/stats/random.js';
import { ibeta, lbeta } from '../../../src/stats/special.js';
import type { ArmCounts } from '../../../src/stats/types.js';

/** Reference P(best): ∫ f_k(x) Π_{j≠k} I_x(a_j, b_j) dx by the composite Simpson rule on 20,000 intervals. */
function pBestByQuadrature(arms: ArmCounts[]): number[] {
  const post = arms.map((a) => ({ a: 1 + a.conversions, b: 1 + a.n - a.conversions }));
  const steps = 20_000;
  return post.map((pk, k) => {
    let sum = 0;
    for (let i = 1; i < steps; i++) {
      const x = i / steps;
      const density = Math.exp((pk.a - 1) * Math.log(x) + (pk.b - 1) * Math.log1p(-x) - lbeta(pk.a, pk.b));
      let others = 1;
      post.forEach((pj, j) => {
        if (j !== k) others *= ibeta(x, 1 - x, pj.a, pj.b);
      });
      sum += (i % 2 === 1 ? 4 : 2) * density * others;
    }
    return sum / (3 * steps);
  });
}

t.test('the generator is reproducible from its seed and uniform on (0, 1)', async (t) => {
  const a = seededUniform(42);
  const b = seededUniform(42);
  const c = seededUniform(43);
  const xs = Array.from({ length: 20_000 }, () => a());
  t.same(
    Array.from({ length: 20_000 }, () => b()),
    xs,
  );
  t.not(c(), xs[0]);
  t.ok(xs.every((x) => x > 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / xs.length), `mean ${mean}`);
});

t.test('Marsaglia–Tsang Gamma draws have the right mean and variance', async (t) => {
  const u = seededUniform(7);
  const z = normalSampler(u);
  for (const shape of [1, 2.5, 40, 1e6]) {
    const xs = Array.from({ length: 20_000 }, () => gammaSample(shape, u, z));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    t.ok(Math.abs(mean - shape) < 4 * Math.sqrt(shape / xs.length), `shape ${shape}: mean ${mean}`);
    t.ok(Math.abs(variance / shape - 1) < 0.05, `shape ${shape}: variance ${variance}`);
  }
});

t.test('P(best): reproducible, sums to 1, within Monte Carlo error of the exact values', async (t) => {
  const arms = [
    { n: 400, conversions: 40 },
    { n: 380, conversions: 46 },
    { n: 410, conversions: 50 },
  ];
  const p = banditProbabilities(arms, 12345);
  t.same(banditProbabilities(arms, 12345), p, 'same seed, same answer');
  t.not(banditProbabilities(arms, 54321).join(), p.join(), 'another seed, other draws');
  t.equal(
    p.reduce((s, x) => s + x, 0),
    1,
  );
  const exact = pBestByQuadrature(arms);
  t.ok(Math.abs(exact.reduce((s, x) => s + x, 0) - 1) < 1e-6, 'the reference sums to 1');
  // 10,000 draws: standard error ≤ 0.005, so 4 standard errors is 0.02
  p.forEach((x, k) => t.ok(Math.abs(x - exact[k]!) < 0.02, `arm ${k}: ${x} vs ${exact[k]}`));
  // two arms: P(best) of the second is the exact chance to beat control
  const two = banditProbabilities([arms[0]!, arms[2]!], 99);
  const chance = bayesianProportions(arms[0]!, arms[2]!).chanceToBeatControl!;
  t.ok(Math.abs(two[1]! - chance) < 0.02, `${two[1]} vs ${chance}`);
  // equal arms share; a clearly better arm takes it all
  const equal = banditProbabilities(
    Array.from({ length: 4 }, () => ({ n: 1000, conversions: 100 })),
    5,
  );
  equal.forEach((x) => t.ok(Math.abs(x - 0.25) < 0.02));
  t.same(
    banditProbabilities(
      [
        { n: 1e6, conversions: 1e5 },
        { n: 1e6, conversions: 2e5 },
      ],
      1,
    ),
    [0, 1],
  );
});

t.test('weights: floored at minWeight, renormalised once; minWeight × k must be < 1', async (t) => {
  const w = banditWeights([0.98, 0.015, 0.005], 0.01);
  t.same(w, [0.98 / 1.005, 0.015 / 1.005, 0.01 / 1.005]);
  t.same(banditWeights([0.25, 0.25, 0.25, 0.25], 0.1), [0.25, 0.25, 0.25, 0.25]);
  t.throws(() => banditWeights([0.5, 0.3, 0.2], 0.34), RangeError);
  t.throws(() => banditWeights([0.5, 0.5], -0.1), RangeError);
});

t.test('period reweighting removes the bias a drifting base rate gives naive pooling', async (t) => {
  // no effect: both variants convert at 5 % in period 1 and 10 % in period 2, but the bandit moved the weights
  const cells = [
    [binomialCell({ n: 500, conversions: 25 }), binomialCell({ n: 500, conversions: 25 })],
    [binomialCell({ n: 100, conversions: 10 }), binomialCell({ n: 900, conversions: 90 })],
  ];
  const pooled = [35 / 600, 115 / 1400];
  t.ok(pooled[1]! - pooled[0]! > 0.02, 'naive pooling shows a lift that is not there');
  const [c, v] = reweightByPeriod(cells);
  // w = (1000, 1000)/2000 for both variants: mean = ½·0.05 + ½·0.1
  t.ok(Math.abs(c!.mean - 0.075) < 1e-15 && Math.abs(v!.mean - 0.075) < 1e-15);
  t.ok(Math.abs(c!.variance - (0.25 * 0.0475) / 500 - (0.25 * 0.09) / 100) < 1e-18);
  t.ok(Math.abs(v!.variance - (0.25 * 0.0475) / 500 - (0.25 * 0.09) / 900) < 1e-18);
  t.equal(c!.n, 600);
  // a variant absent from a period: that period is left out of its average and the weights renormalised
  const gap = reweightByPeriod([
    [binomialCell({ n: 10, conversions: 1 }), binomialCell({ n: 0, conversions: 0 })],
    [binomialCell({ n: 30, conversions: 6 }), binomialCell({ n: 20, conversions: 5 })],
  ]);
  t.ok(Math.abs(gap[1]!.mean - 0.25) < 1e-15, 'only period 2 counts for variant 2');
  t.ok(Math.abs(gap[0]!.mean - ((10 / 60) * 0.1 + (50 / 60) * 0.2)) < 1e-15);
  t.same(
    reweightByPeriod([[binomialCell({ n: 5, conversions: 1 }), binomialCell({ n: 0, conversions: 0 })]])[1],
    null,
  );
});

t.test('SRM expectation of a bandit: Σ_p N_p·weight_{k,p}', async (t) => {
  t.same(
    banditSrmExpected([
      { users: 1000, weights: [0.5, 0.5] },
      { users: 2000, weights: [0.1, 0.9] },
    ]),
    [700, 2300],
  );
});

t.test(
  'SRM test of a bandit: the covariance of one multinomial per period; Pearson when weights stay',
  async (t) => {
    // Two variants: S = Σ_p N_p·w_p(1 − w_p) = 1000·0.25 + 2000·0.09 = 430, E = 700, χ² = 30²/430.
    const periods = [
      { users: 1000, weights: [0.5, 0.5] },
      { users: 2000, weights: [0.1, 0.9] },
    ];
    const r = banditSrmTest([730, 2270], periods);
    t.ok(Math.abs(r.chiSquare! - 900 / 430) < 1e-12, `χ² ${r.chiSquare}`);
    t.equal(r.degreesOfFreedom, 1);
    // P(χ²₁ > x) = erfc(√(x/2)): scipy.stats.chi2.sf(900 / 430, 1) = 0.14797298840460235
    t.ok(Math.abs(r.pValue! - 0.14797298840460235) < 1e-12, `p ${r.pValue}`);
    // Same weights in every period: exactly Pearson's χ².
    const same = [
      { users: 400, weights: [0.2, 0.3, 0.5] },
      { users: 600, weights: [0.2, 0.3, 0.5] },
    ];
    const pearson = (212 - 200) ** 2 / 200 + (281 - 300) ** 2 / 300 + (507 - 500) ** 2 / 500;
    t.ok(Math.abs(banditSrmTest([212, 281, 507], same).chiSquare! - pearson) < 1e-9);
    // A variant nobody could get and nobody got is left out; one that got users anyway is a mismatch.
    const zero = [{ users: 100, weights: [0.5, 0.5, 0] }];
    t.equal(banditSrmTest([50, 50, 0], zero).degreesOfFreedom, 1);
    t.match(banditSrmTest([49, 50, 1], zero), { pValue: 0, mismatch: true, chiSquare: null });
    t.match(banditSrmTest([0, 0], periods), { pValue: null, chiSquare: null });
  },
);

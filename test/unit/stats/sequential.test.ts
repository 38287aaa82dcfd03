import t from 'tap';
import { proportionsTest } from '../../../src/stats/proportions.js';
import { DEFAULT_SEQUENTIAL_TUNING, sequentialInterval } from '../../../src/stats/sequential.js';

// Waudby-Smith et al. (2023), two-sided asymptotic CS, ρ tuned for N* = 5000, α = 0.05, by hand:
// ρ² = (−2 ln 0.05 + ln(1 − 2 ln 0.05)) / 5000 = (5.991465 + 1.944119) / 5000 = 0.001587117
t.test('the confidence sequence and its p-value, worked by hand', async (t) => {
  const r2 = (5.991464547107979 + Math.log(6.991464547107979)) / 5000;
  const n = 20_000;
  const se = 0.004;
  const a = n * r2 + 1;
  const half = Math.sqrt(se * se * n * ((2 * a) / (n * n * r2)) * Math.log(Math.sqrt(a) / 0.05));
  const s = sequentialInterval(0.01, se, n, 0.05);
  t.ok(Math.abs(s.ci![0] - (0.01 - half)) < 1e-15 && Math.abs(s.ci![1] - (0.01 + half)) < 1e-15);
  t.ok(half > 1.959964 * se, 'wider than the fixed-horizon interval');
  t.equal(DEFAULT_SEQUENTIAL_TUNING, 5000);
  // p < α exactly when the sequence excludes 0
  for (const d of [0, 0.005, 0.01, 0.0125, 0.015, 0.02, 0.05]) {
    const x = sequentialInterval(d, se, n, 0.05);
    t.equal(x.pValue! < 0.05, x.ci![0] > 0, `d = ${d}: p ${x.pValue}`);
    t.ok(x.pValue! >= 0 && x.pValue! <= 1);
  }
  t.same(sequentialInterval(0.2, 0, 100, 0.05), { pValue: null, ci: [0.2, 0.2] });
  t.same(sequentialInterval(0.2, 0.1, 0, 0.05), { pValue: null, ci: null });
});

t.test('proportionsTest with method sequential carries the always-valid values', async (t) => {
  const input = {
    control: { n: 10_000, conversions: 1000 },
    treatments: [{ n: 10_000, conversions: 1100 }],
    alpha: 0.05,
    correction: 'holm' as const,
  };
  const fixed = proportionsTest(input);
  const seq = proportionsTest({ ...input, method: 'sequential' });
  t.equal(seq.method, 'sequential');
  t.equal(seq.variants[1]!.zScore, fixed.variants[1]!.zScore);
  t.ok(seq.variants[1]!.pValue! > fixed.variants[1]!.pValue!, 'always-valid p is larger');
  const [flo, fhi] = fixed.variants[1]!.ci.absolute!;
  const [slo, shi] = seq.variants[1]!.ci.absolute!;
  t.ok(slo < flo && shi > fhi, 'and the interval wider');
  t.ok(seq.variants[1]!.ci.relative![0] < fixed.variants[1]!.ci.relative![0]);
});

// The forecast's pure parts: the Gamma sampler against scipy (test/reference/gamma-quantiles.py), the recursion,
// the interpolated percentiles and the band.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { forecast, gammaDraw, mulberry32, project, quantileSorted } from '../../../src/stats/forecast.js';

const ref = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/gamma-quantiles.json', import.meta.url), 'utf8'),
) as { shape: number; rate: number; mean: number; sd: number; quantiles: Record<string, number> }[];

t.test('Gamma draws match scipy: mean, sd and deciles of 40,000 draws within sampling error', async (t) => {
  for (const r of ref) {
    const rnd = mulberry32(7);
    const n = 40_000;
    const xs = Array.from({ length: n }, () => gammaDraw(r.shape, r.rate, rnd)).sort((a, b) => a - b);
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    // 5 standard errors of the mean; sd and quantiles to 3 %.
    t.ok(
      Math.abs(mean - r.mean) < (5 * r.sd) / Math.sqrt(n),
      `mean ${mean} vs ${r.mean} (${r.shape}, ${r.rate})`,
    );
    t.ok(Math.abs(sd / r.sd - 1) < 0.03, `sd ${sd} vs ${r.sd}`);
    for (const [q, want] of Object.entries(r.quantiles)) {
      const got = quantileSorted(xs, Number(q));
      t.ok(Math.abs(got / want - 1) < 0.03, `q${q} ${got} vs ${want} (${r.shape}, ${r.rate})`);
    }
    t.ok(xs[0]! > 0, 'positive');
  }
});

t.test('percentiles interpolate linearly between order statistics (percentile_cont)', async (t) => {
  t.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  t.equal(quantileSorted([1, 2, 3, 4], 0.1), 1.3);
  t.equal(quantileSorted([10, 20, 30, 40, 50], 0.9), 46);
  t.equal(quantileSorted([7], 0.9), 7);
});

t.test('N_d = O + k·N_{d−L} from the observed slices (most recent first)', async (t) => {
  // L = 2: N_0 = 10, N_−1 = 4 → N_1 = 1 + ½·4 = 3, N_2 = 1 + ½·10 = 6, N_3 = 1 + ½·3 = 2.5, N_4 = 1 + ½·6 = 4.
  t.same(project(1, 0.5, 2, [10, 4], 4), [3, 6, 2.5, 4]);
  t.same(project(2, 0, 1, [100], 3), [2, 2, 2], 'k = 0: organic only');
  t.same(project(0, 2, 1, [1], 3), [2, 4, 8], 'k = 2 doubles every cycle');
});

t.test('the band: seeded, ordered, around the point forecast; no users means no viral draws', async (t) => {
  const input = {
    organic: 300,
    windowDays: 30,
    referred: 60,
    users: 400,
    cycleDays: 3,
    observed: [12, 9, 11],
    horizon: 20,
  };
  const a = forecast(input);
  t.same(forecast(input), a, 'the same seed gives the same band');
  t.not(forecast({ ...input, seed: 1 }).steps[5]!.low, a.steps[5]!.low, 'another seed, another band');
  t.equal(a.k, 0.15);
  t.equal(a.organicPerDay, 10);
  t.equal(a.steadyStatePerDay, 10 / 0.85);
  for (const s of a.steps)
    t.ok(s.low < s.expected && s.expected < s.high, `${s.low} < ${s.expected} < ${s.high}`);
  t.ok(Math.abs(a.steps.at(-1)!.cumulativeExpected - a.steps.reduce((x, s) => x + s.expected, 0)) < 1e-9);
  const none = forecast({ ...input, users: 0, referred: 0 });
  t.equal(none.k, 0);
  t.ok(
    none.steps.every((s) => s.expected === 10),
    'organic only',
  );
  const viral = forecast({ ...input, referred: 500 });
  t.equal(viral.viral, true);
  t.equal(viral.steadyStatePerDay, null);
});

import t, { type Test } from 'tap';
import { bucketUser } from '../../src/experiments/bucketing.js';
import { build, json, startedExperiment } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;

/** The first `count` user ids that GrowthBook bucketing puts in each variant of a 50/50 test seeded "res". */
function usersByVariant(count: number): { control: string[]; variant_a: string[] } {
  const out = { control: [] as string[], variant_a: [] as string[] };
  for (let i = 0; out.control.length < count || out.variant_a.length < count; i++) {
    const id = `user-${i}`;
    const list = bucketUser({ hashSeed: 'res', userId: id, weights: [50, 50], trafficPercent: 100 })
      ? out.variant_a
      : out.control;
    if (list.length < count) list.push(id);
  }
  return out;
}

const post = (app: App, url: string, payload: object) => app.inject({ method: 'POST', url, payload });

async function seed(app: App) {
  await startedExperiment(app, { key: 'res' }, '2025-01-01T00:00:00Z');
  const users = usersByVariant(12);
  const exposedAt = '2026-01-01T00:00:00Z';
  for (const [variant, ids] of Object.entries(users)) {
    for (const [i, userId] of ids.entries()) {
      if (i < 10)
        await post(app, '/v1/experiments/res/exposures', { userId, variant, occurredAt: exposedAt });
      else await post(app, '/v1/experiments/res/assignments', { userId });
    }
  }
  const convert = (userId: string, extra: object = {}) =>
    post(app, '/v1/experiments/res/conversions', { userId, occurredAt: '2026-01-02T00:00:00Z', ...extra });
  // control: 2 of 10 exposed convert; the 2 unexposed converters and a pre-exposure conversion do not count
  await convert(users.control[0]!, { metric: 'revenue', value: 10, eventId: 'o1' });
  await convert(users.control[0]!);
  await convert(users.control[1]!);
  await convert(users.control[2]!, { occurredAt: '2025-12-31T00:00:00Z' });
  await convert(users.control[10]!);
  await convert(users.control[11]!);
  // variant_a: 5 of 10 convert; revenue 20 (two orders), 30, 5
  for (const id of users.variant_a.slice(0, 5)) await convert(id);
  await convert(users.variant_a[0]!, { metric: 'revenue', value: 15, eventId: 'o2' });
  await convert(users.variant_a[0]!, { metric: 'revenue', value: 5, eventId: 'o3' });
  await convert(users.variant_a[1]!, { metric: 'revenue', value: 30, eventId: 'o4' });
  await convert(users.variant_a[2]!, { metric: 'revenue', value: 5, eventId: 'o5' });
  return users;
}

const near = (t: Test, actual: number | null, expected: number, msg: string) =>
  t.ok(
    actual !== null && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${msg}: ${actual} ≈ ${expected}`,
  );

interface Results {
  metric: string;
  totals: { assigned: number; exposed: number; converted: number };
  srm: { chiSquare: number; pValue: number; mismatch: boolean };
  variants: {
    variant: string;
    isControl: boolean;
    assigned: number;
    exposed: number;
    converted: number;
    conversionRate: number;
    absoluteLift: number | null;
    relativeLift: number | null;
    zScore: number | null;
    pValue: number | null;
    pValueAdjusted: number | null;
    significant: boolean | null;
    ci: { level: number; absolute: [number, number] | null; relative: [number, number] | null };
    chanceToBeatControl: number | null;
    expectedLoss: number | null;
    value: {
      sum: number;
      mean: number;
      variance: number;
      meanDifference: number | null;
      pValue: number | null;
      ci: [number, number] | null;
    } | null;
  }[];
  warnings: string[];
}

t.test('results: counts, z-test, CIs and SRM pinned to R (prop.test, chisq.test)', async (t) => {
  const app = await build(t);
  await seed(app);
  const r = json<Results>(await app.inject({ url: '/v1/experiments/res/results' }));
  t.equal(r.metric, 'conversion');
  t.same(r.totals, { assigned: 24, exposed: 20, converted: 7 });
  const [c, a] = r.variants;
  t.match(c, {
    variant: 'control',
    isControl: true,
    assigned: 12,
    exposed: 10,
    converted: 2,
    conversionRate: 0.2,
  });
  t.match(c, {
    absoluteLift: null,
    zScore: null,
    pValue: null,
    pValueAdjusted: null,
    significant: null,
    value: null,
  });
  t.match(a, {
    variant: 'variant_a',
    isControl: false,
    assigned: 12,
    exposed: 10,
    converted: 5,
    conversionRate: 0.5,
  });
  near(t, a!.absoluteLift, 0.3, 'absolute lift');
  near(t, a!.relativeLift, 1.5, 'relative lift');
  near(t, a!.zScore, 1.40642169281549, 'z (R prop.test √X²)');
  near(t, a!.pValue, 0.159598942442649, 'p (R prop.test)');
  t.equal(a!.pValueAdjusted, a!.pValue, 'one treatment: adjusted = raw');
  t.equal(a!.significant, false);
  near(t, a!.ci.absolute![0], -0.0968624593589813, 'ci lo (R prop.test)');
  near(t, a!.ci.absolute![1], 0.6968624593589813, 'ci hi');
  t.equal(a!.ci.level, 0.95);
  // delta method by hand: var = 0.025/0.04 + 0.25·0.016/0.0016 = 3.125; 1.5 ± 1.959964·1.767767
  near(t, a!.ci.relative![0], 1.5 - 1.959963984540054 * Math.sqrt(3.125), 'relative ci lo');
  t.same(r.srm, { chiSquare: 0, pValue: 1, mismatch: false });
  // Beta(3, 9) vs Beta(6, 6), mpmath at 40 digits
  near(t, a!.chanceToBeatControl, 0.9086687306501547, 'chance to beat control');
  near(t, a!.expectedLoss, 0.008261542603311347, 'expected loss');
  t.equal(c!.chanceToBeatControl, null);
});

t.test('valued metric: per-exposed-user sums and Welch pinned to R t.test', async (t) => {
  const app = await build(t);
  await seed(app);
  const r = json<Results>(await app.inject({ url: '/v1/experiments/res/results?metric=revenue&alpha=0.05' }));
  const [c, a] = r.variants;
  t.equal(c!.converted, 1);
  t.equal(a!.converted, 3);
  t.same(c!.value, { sum: 10, mean: 1, variance: 10, meanDifference: null, pValue: null, ci: null });
  t.equal(a!.chanceToBeatControl, null, 'no Bayesian rates for a valued metric');
  t.equal(a!.value!.sum, 55);
  near(t, a!.value!.mean, 5.5, 'mean');
  near(t, a!.value!.variance, 113.61111111111111, 'variance');
  near(t, a!.value!.meanDifference, 4.5, 'mean difference');
  near(t, a!.value!.pValue, 0.227944421341084, 'Welch p (R t.test)');
  near(t, a!.value!.ci![0], -3.27668366298566, 'Welch ci lo');
  near(t, a!.value!.ci![1], 12.27668366298566, 'Welch ci hi');
});

t.test('alpha, correction, unknown metric, CSV, completed experiments', async (t) => {
  const app = await build(t);
  const users = await seed(app);
  const r = json<Results>(
    await app.inject({ url: '/v1/experiments/res/results?alpha=0.2&correction=bonferroni' }),
  );
  t.equal(r.variants[1]!.ci.level, 0.8);
  t.equal(r.variants[1]!.significant, true, 'p 0.16 < alpha 0.2');

  const empty = json<Results>(await app.inject({ url: '/v1/experiments/res/results?metric=never_seen' }));
  t.equal(empty.totals.converted, 0);
  t.equal(empty.variants[1]!.zScore, null);
  t.ok(empty.warnings.some((w) => w.startsWith('no_conversions')));

  for (const q of ['alpha=0', 'alpha=0.6', 'correction=sidak', 'metric=Bad!', 'extra=1']) {
    const res = await app.inject({ url: `/v1/experiments/res/results?${q}` });
    t.equal(res.statusCode, 400, q);
  }
  t.equal(json(await app.inject({ url: '/v1/experiments/nope/results' })).code, 'experiment_not_found');

  const csv = await app.inject({ url: '/v1/experiments/res/results', headers: { accept: 'text/csv' } });
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.trimEnd().split('\r\n');
  t.equal(lines.length, 3, 'header + one row per variant');
  const header = lines[0]!.split(',');
  const row = Object.fromEntries(lines[2]!.split(',').map((v, i) => [header[i], v]));
  t.match(row, {
    experimentKey: 'res',
    variant: 'variant_a',
    exposed: '10',
    converted: '5',
    conversionRate: '0.5',
  });
  const stamp = (body: string) => body.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
  t.equal(stamp((await app.inject({ url: '/v1/experiments/res/results?format=csv' })).body), stamp(csv.body));

  await app.inject({ method: 'POST', url: '/v1/experiments/res/winner', payload: { variant: 'variant_a' } });
  const late = await app.inject({
    method: 'POST',
    url: '/v1/experiments/res/conversions',
    payload: { userId: users.variant_a[9]! },
  });
  t.same(json(late), { recorded: true, duplicate: false }, 'stored after completion');
  const done = json<Results>(await app.inject({ url: '/v1/experiments/res/results' }));
  t.equal(done.variants[1]!.converted, 5, 'but it does not count');
});

t.test('SRM mismatch and Holm over several treatments', async (t) => {
  const app = await build(t);
  const r = json<{ variants: { pValue: number; pValueAdjusted: number }[] }>(
    await app.inject({
      method: 'POST',
      url: '/v1/stats/proportions',
      payload: {
        control: { n: 1000, conversions: 100 },
        treatments: [
          { n: 1000, conversions: 130 },
          { n: 1000, conversions: 120 },
          { n: 1000, conversions: 101 },
        ],
      },
    }),
  );
  const ps = r.variants.slice(1).map((v) => v.pValue);
  const sorted = [...ps].sort((x, y) => x - y);
  const holm = [3 * sorted[0]!, Math.max(3 * sorted[0]!, 2 * sorted[1]!), 0];
  holm[2] = Math.min(1, Math.max(holm[1]!, sorted[2]!));
  t.same(
    r.variants.slice(1).map((v) => v.pValueAdjusted),
    ps.map((p) => holm[sorted.indexOf(p)]),
  );
  const srm = json(
    await app.inject({
      method: 'POST',
      url: '/v1/stats/srm',
      payload: { observed: [1000, 1200], weights: [1, 1] },
    }),
  );
  t.equal(srm.mismatch, true);
  t.same(srm.expected, [1100, 1100]);
  t.equal(srm.degreesOfFreedom, 1);
});

t.test(
  'calculators through HTTP: proportions (Bayesian too), means, sample size, and their 400s',
  async (t) => {
    const app = await build(t);
    const call = (url: string, payload: object) =>
      app.inject({ method: 'POST', url: `/v1/stats/${url}`, payload });
    const p = json<{
      alpha: number;
      correction: string;
      variants: Record<string, unknown>[];
      warnings: string[];
    }>(
      await call('proportions', {
        control: { n: 10, conversions: 2 },
        treatments: [{ n: 10, conversions: 5 }],
      }),
    );
    t.equal(p.alpha, 0.05);
    t.equal(p.correction, 'holm');
    t.match(p.variants[0], {
      isControl: true,
      n: 10,
      conversions: 2,
      conversionRate: 0.2,
      chanceToBeatControl: null,
    });
    near(t, p.variants[1]!.pValue as number, 0.159598942442649, 'p');
    near(t, p.variants[1]!.chanceToBeatControl as number, 0.9086687306501547, 'chance to beat control');
    const zero = json<{ variants: Record<string, unknown>[]; warnings: string[] }>(
      await call('proportions', {
        control: { n: 0, conversions: 0 },
        treatments: [{ n: 0, conversions: 0 }],
      }),
    );
    t.equal(zero.variants[1]!.pValue, null);
    t.ok(zero.warnings.length > 0);
    for (const [url, body, path] of [
      [
        'proportions',
        { control: { n: 10, conversions: 11 }, treatments: [{ n: 10, conversions: 1 }] },
        'control.conversions',
      ],
      [
        'proportions',
        { control: { n: -1, conversions: 0 }, treatments: [{ n: 10, conversions: 1 }] },
        'control.n',
      ],
      [
        'proportions',
        { control: { n: 10, conversions: 1 }, treatments: [{ n: 10, conversions: 1 }], alpha: 0.7 },
        'alpha',
      ],
      [
        'means',
        { control: { n: 3, mean: 1, variance: -1 }, treatment: { n: 3, mean: 1, variance: 1 } },
        'control.variance',
      ],
      ['sample-size', { baselineRate: 0.5, minDetectableEffect: 1.5 }, 'minDetectableEffect'],
      ['sample-size', { baselineRate: 0.1, minDetectableEffect: 0 }, 'minDetectableEffect'],
      ['sample-size', { baselineRate: 0.1, minDetectableEffect: 0.1, power: 1 }, 'power'],
      ['srm', { observed: [1, 2], weights: [1] }, 'weights'],
    ] as const) {
      const res = await call(url, body);
      t.equal(res.statusCode, 400, `${url} ${path}`);
      t.ok(
        json<{ errors: { path: string }[] }>(res).errors.some((e) => e.path === path),
        `${url} names ${path}: ${res.body}`,
      );
    }
    const m = json(
      await call('means', {
        control: { n: 10, mean: 1, variance: 10 },
        treatment: { n: 10, mean: 5.5, variance: 113.61111111111111 },
      }),
    );
    near(t, m.pValue as number, 0.227944421341084, 'Welch p (R t.test)');
    t.same(
      json(await call('sample-size', { baselineRate: 0.1, minDetectableEffect: 0.1, dailyUsers: 1000 })),
      {
        perVariant: 14751,
        total: 29502,
        days: 30,
        method:
          'power.prop.test: two-sided two-proportion z-test, pooled variance under H0, unpooled under H1',
      },
      'R: power.prop.test(p1 = 0.1, p2 = 0.11, power = 0.8)$n = 14750.79',
    );
  },
);

t.test('results timeline: cumulative per day, the last day equal to the results', async (t) => {
  const app = await build(t);
  await seed(app);
  const r = json<{
    days: {
      date: string;
      variants: { variant: string; exposed: number; converted: number; pValue: number | null }[];
    }[];
  }>(await app.inject({ url: '/v1/experiments/res/results/timeline' }));
  t.same(
    r.days.map((d) => [d.date, d.variants.map((v) => [v.variant, v.exposed, v.converted])]),
    [
      [
        '2026-01-01T00:00:00.000Z',
        [
          ['control', 10, 0],
          ['variant_a', 10, 0],
        ],
      ],
      [
        '2026-01-02T00:00:00.000Z',
        [
          ['control', 10, 2],
          ['variant_a', 10, 5],
        ],
      ],
    ],
  );
  t.equal(r.days[0]!.variants[1]!.pValue, null, 'no conversions yet: zero pooled variance');
  near(t, r.days[1]!.variants[1]!.pValue, 0.159598942442649, 'p on the last day (R prop.test)');
  const seq = json<{ method: string; days: { variants: { pValue: number }[] }[] }>(
    await app.inject({ url: '/v1/experiments/res/results/timeline?method=sequential' }),
  );
  t.equal(seq.method, 'sequential');
  t.ok(seq.days[1]!.variants[1]!.pValue > 0.159598942442649, 'always-valid p is larger');
  const csv = await app.inject({ url: '/v1/experiments/res/results/timeline?format=csv' });
  t.equal(csv.body.trimEnd().split('\r\n').length, 5, 'header + 2 days × 2 variants');
  t.equal(
    (await app.inject({ url: '/v1/experiments/res/results/timeline?tz=Nowhere/Land' })).statusCode,
    400,
  );
});

t.test('results/refresh recomputes and answers like results', async (t) => {
  const app = await build(t);
  await seed(app);
  const res = await app.inject({ method: 'POST', url: '/v1/experiments/res/results/refresh' });
  t.equal(res.statusCode, 200);
  t.match(json(res), { experimentKey: 'res', totals: { exposed: 20, converted: 7 } });
  t.equal(
    (await app.inject({ method: 'POST', url: '/v1/experiments/nope/results/refresh' })).statusCode,
    404,
  );
});

// The Bayesian statistics at the largest counts the API accepts: bounded work per request, finite answers, and
// a service that keeps answering its health probe while the heaviest legal request runs.
import t from 'tap';
import { bucketUser } from '../../src/experiments/bucketing.js';
import { build, json, startedExperiment } from '../helper.js';

interface Proportions {
  variants: { chanceToBeatControl: number | null; expectedLoss: number | null; pValue: number | null }[];
  warnings: string[];
}

const finite = (v: unknown): boolean =>
  typeof v === 'number'
    ? Number.isFinite(v)
    : v === null || typeof v !== 'object' || Object.values(v as object).every(finite);

/** Control at 50 %, every treatment at another rate: both halves of the quadrature do work (its costliest shape). */
const heaviest = {
  control: { n: 1e12, conversions: 5e11 },
  treatments: Array.from({ length: 19 }, (_, i) => ({ n: 1e12, conversions: 3e11 + i * 1e10 })),
  method: 'sequential',
};

t.test('10^9, 5·10^7 and 10^12 users per arm answer 200 with finite numbers, quickly', async (t) => {
  const app = await build(t);
  for (const n of [1e9, 5e7, 1e12]) {
    const started = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/stats/proportions',
      payload: { control: { n, conversions: n / 2 }, treatments: [{ n, conversions: n / 2 }] },
    });
    const ms = performance.now() - started;
    t.equal(res.statusCode, 200, `n = ${n}`);
    const body = json<Proportions>(res);
    t.ok(finite(body), 'no NaN or Infinity');
    const row = body.variants[1]!;
    t.ok(Math.abs(row.chanceToBeatControl! - 0.5) < 1e-9, `equal arms: ${row.chanceToBeatControl}`);
    // E[max(C − T, 0)] for equal arms is σ/√(2π), σ² = 2·¼/n to first order
    t.ok(
      Math.abs(row.expectedLoss! / Math.sqrt(0.5 / n / (2 * Math.PI)) - 1) < 1e-5,
      `loss ${row.expectedLoss}`,
    );
    t.ok(ms < 1000, `answered in ${ms.toFixed(1)} ms`);
  }
  const max = await app.inject({ method: 'POST', url: '/v1/stats/proportions', payload: heaviest });
  t.equal(max.statusCode, 200);
  t.ok(finite(json(max)), 'the heaviest legal request is finite throughout');
});

t.test('/health/live answers within 1 s while the heaviest legal requests run', async (t) => {
  const app = await build(t);
  const heavy = () => app.inject({ method: 'POST', url: '/v1/stats/proportions', payload: heaviest });
  const heavyMs: number[] = [];
  let running = true;
  // four clients sending the heaviest request back to back
  const clients = Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const res = await heavy();
      heavyMs.push(performance.now() - started);
      t.equal(res.statusCode, 200);
    }
  });
  const all = Promise.all(clients).finally(() => (running = false));
  const probes: number[] = [];
  while (running) {
    const started = performance.now();
    const res = await app.inject({ url: '/health/live' });
    probes.push(performance.now() - started);
    t.equal(res.statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await all;
  t.ok(probes.length >= 3, `${probes.length} probes while the heavy requests ran`);
  const worst = Math.max(...probes);
  t.ok(
    worst < 1000,
    `slowest probe ${worst.toFixed(1)} ms (heavy requests: up to ${Math.max(...heavyMs).toFixed(1)} ms)`,
  );
});

t.test('results: a variant nobody was exposed to has null Bayesian statistics, with a warning', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'nodata' });
  for (let i = 0, exposed = 0; exposed < 5; i++) {
    const userId = `u-${i}`;
    if (bucketUser({ hashSeed: 'nodata', userId, weights: [50, 50], trafficPercent: 100 }) !== 0) continue;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/experiments/nodata/exposures',
      payload: { userId, variant: 'control' },
    });
    t.equal(res.statusCode < 300, true, res.body);
    exposed++;
  }
  const r = json<{
    variants: {
      variant: string;
      exposed: number;
      chanceToBeatControl: number | null;
      expectedLoss: number | null;
    }[];
    warnings: string[];
  }>(await app.inject({ url: '/v1/experiments/nodata/results' }));
  const a = r.variants.find((v) => v.variant === 'variant_a')!;
  t.match(a, { exposed: 0, chanceToBeatControl: null, expectedLoss: null });
  t.ok(
    r.warnings.some((w) =>
      /^no_data: variant_a has no users .*chance to beat control and expected loss/.test(w),
    ),
    r.warnings.join('; '),
  );
});

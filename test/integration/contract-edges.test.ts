import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { bucketUser } from '../../src/experiments/bucketing.js';
import { build, expectProblem, json, post, startedExperiment, testDatabase } from '../helper.js';

const VARIANTS = [
  { key: 'control', weight: 50 },
  { key: 'variant_a', weight: 50 },
];

t.test('a PATCH of a draft that drops its control must name the new one', async (t) => {
  const app = await build(t);
  await post(app, '/v1/experiments', { key: 'd', variants: VARIANTS });
  const patch = (payload: object) => app.inject({ method: 'PATCH', url: '/v1/experiments/d', payload });
  const dropped = await patch({ variants: [{ key: 'b' }, { key: 'c' }] });
  expectProblem(t, dropped, 400, 'validation_failed', 'controlVariant');
  const named = await patch({ variants: [{ key: 'b' }, { key: 'c' }], controlVariant: 'c' });
  t.equal(named.statusCode, 200);
  t.equal(json(named).controlVariant, 'c');
  const kept = await patch({ variants: [{ key: 'c' }, { key: 'e' }] });
  t.equal(json(kept).controlVariant, 'c', 'variants that keep the control need no controlVariant');
});

t.test('stats bodies take JSON numbers only, never strings or arrays', async (t) => {
  const app = await build(t);
  const arm = { n: 100, mean: 1, variance: 1 };
  for (const alpha of ['0.1', [0.1], true]) {
    const means = await post(app, '/v1/stats/means', { control: arm, treatment: arm, alpha });
    expectProblem(t, means, 400, 'validation_failed', 'alpha');
    const props = await post(app, '/v1/stats/proportions', {
      control: { n: 10, conversions: 1 },
      treatments: [{ n: 10, conversions: 2 }],
      alpha,
    });
    expectProblem(t, props, 400, 'validation_failed', 'alpha');
    const size = await post(app, '/v1/stats/sample-size', {
      baselineRate: 0.1,
      minDetectableEffect: 0.1,
      alpha,
    });
    expectProblem(t, size, 400, 'validation_failed', 'alpha');
  }
  const tuning = await post(app, '/v1/stats/proportions', {
    control: { n: 10, conversions: 1 },
    treatments: [{ n: 10, conversions: 2 }],
    method: 'sequential',
    sequentialTuning: '5000',
  });
  expectProblem(t, tuning, 400, 'validation_failed', 'sequentialTuning');
  for (const body of [
    { control: { ...arm, n: '100' }, treatment: arm },
    { control: arm, treatment: { ...arm, variance: [1] } },
  ]) {
    expectProblem(t, await post(app, '/v1/stats/means', body), 400, 'validation_failed');
  }
  const ok = await post(app, '/v1/stats/means', { control: arm, treatment: arm, alpha: 0.1 });
  t.equal(json<{ ci: { level: number } }>(ok).ci.level, 0.9);
});

t.test(
  'a paused experiment answers not_running on an instance whose cached definition is stale',
  async (t) => {
    const app = await build(t);
    const other = await buildApp({ config: configFrom(), db: await testDatabase(), migrate: false });
    t.teardown(() => other.close());
    await startedExperiment(app, { key: 'p', trafficPercent: 50 });
    const inTraffic = (u: string) =>
      bucketUser({ hashSeed: 'p', userId: u, weights: [50, 50], trafficPercent: 50 }) >= 0;
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const inside = users.filter(inTraffic).slice(0, 2);
    const outside = users.find((u) => !inTraffic(u))!;
    t.equal(inside.length, 2);

    const assign = (userId: string) => post(other, '/v1/experiments/p/assignments', { userId });
    t.equal(json(await assign(inside[0]!)).reason, 'new_assignment', 'the other instance caches "running"');
    t.equal((await post(app, '/v1/experiments/p/stop')).statusCode, 200);

    const fresh = json(await assign(inside[1]!));
    t.match(fresh, { reason: 'not_running', inExperiment: false, variant: 'control', assignedAt: null });
    t.match(json(await assign(outside)), { reason: 'not_running', inExperiment: false });
    t.match(
      json(await assign(inside[0]!)),
      { reason: 'existing_assignment' },
      'a paused experiment keeps its users',
    );
    const exposed = json(await post(other, '/v1/experiments/p/exposures', { userId: 'user-late' }));
    t.match(exposed, { inExperiment: false, exposedAt: null, firstExposure: false });
    const results = json<{ totals: { assigned: number } }>(
      await app.inject({ url: '/v1/experiments/p/results' }),
    );
    t.equal(results.totals.assigned, 1, 'nothing was stored while paused');
  },
);

import t from 'tap';
import { build, expectProblem, get, json, startedExperiment } from '../helper.js';

const METRICS = [
  'k-factor',
  'k-factor/by-source',
  'cycle-time',
  'top-referrers',
  'timeline',
  'cohorts',
  'funnel',
  'loop-efficiency',
  'summary',
  'fraud',
];

t.test('every metric caps its window at 365 days and refuses from after to, naming the field', async (t) => {
  const app = await build(t);
  for (const m of METRICS) {
    const wide = await get(app, `/v1/metrics/${m}?from=0100-01-01T00:00:00Z&to=2099-01-01T00:00:00Z`);
    expectProblem(t, wide, 400, 'validation_failed', 'from');
    const year = await get(app, `/v1/metrics/${m}?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`);
    expectProblem(t, year, 400, 'validation_failed', 'from');
    const backwards = await get(app, `/v1/metrics/${m}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    expectProblem(t, backwards, 400, 'validation_failed', 'from');
    const ok = await get(app, `/v1/metrics/${m}?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    t.equal(ok.statusCode, 200, `${m}: 365 days are allowed`);
  }
  const days = json<{ periods: unknown[] }>(
    await get(app, '/v1/metrics/timeline?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'),
  );
  t.equal(days.periods.length, 365);
  const weekly = await get(
    app,
    '/v1/metrics/timeline?granularity=week&from=2016-01-04T00:00:00Z&to=2025-12-22T00:00:00Z',
  );
  t.equal(weekly.statusCode, 200, 'a weekly timeline may cover 520 weeks');
  t.equal(json<{ periods: unknown[] }>(weekly).periods.length, 520);
  const tooManyWeeks = await get(
    app,
    '/v1/metrics/timeline?granularity=week&from=2016-01-04T00:00:00Z&to=2025-12-30T00:00:00Z',
  );
  expectProblem(t, tooManyWeeks, 400, 'validation_failed', 'from');
});

t.test('cohorts end with the week of `to`', async (t) => {
  const app = await build(t);
  const r = json<{ cohorts: { weekStart: string }[] }>(
    await get(app, '/v1/metrics/cohorts?weeks=2&to=2026-01-08T00:00:00Z'),
  );
  t.same(
    r.cohorts.map((c) => c.weekStart),
    ['2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
  );
});

t.test('the results timeline in CSV has its header row even without data', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'empty' });
  const csv = await get(app, '/v1/experiments/empty/results/timeline?format=csv');
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.equal(
    csv.body.trim(),
    'experimentKey,metric,method,date,variant,exposed,converted,conversionRate,absoluteLift,relativeLift,pValue,' +
      'ciAbsoluteLow,ciAbsoluteHigh,ciRelativeLow,ciRelativeHigh',
  );
});

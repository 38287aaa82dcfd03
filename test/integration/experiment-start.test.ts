import t from 'tap';
import { build, expectProblem, get, json, post } from '../helper.js';

const VARIANTS = [
  { key: 'control', weight: 50 },
  { key: 'variant_a', weight: 50 },
];

t.test('start accepts a past startedAt for a draft only; exposures before it are refused', async (t) => {
  const app = await build(t);
  await post(app, '/v1/experiments', { key: 'imp', variants: VARIANTS });
  const future = new Date(Date.now() + 60_000).toISOString();
  expectProblem(
    t,
    await post(app, '/v1/experiments/imp/start', { startedAt: future }),
    400,
    'validation_failed',
    'startedAt',
  );
  expectProblem(
    t,
    await post(app, '/v1/experiments/imp/start', { startedAt: '1900-01-01T00:00:00Z' }),
    400,
    'validation_failed',
    'startedAt',
  );
  const started = await post(app, '/v1/experiments/imp/start', { startedAt: '2026-01-01T00:00:00+01:00' });
  t.equal(started.statusCode, 200, started.body);
  t.equal(json(started).startedAt, '2025-12-31T23:00:00.000Z');
  const history = json<{ items: { action: string; details: Record<string, unknown> }[] }>(
    await get(app, '/v1/experiments/imp/history'),
  );
  t.match(history.items.at(-1), { action: 'started', details: { startedAt: '2025-12-31T23:00:00.000Z' } });

  await post(app, '/v1/experiments/imp/stop');
  expectProblem(
    t,
    await post(app, '/v1/experiments/imp/start', { startedAt: '2026-01-02T00:00:00Z' }),
    400,
    'validation_failed',
    'startedAt',
  );
  const resumed = await post(app, '/v1/experiments/imp/start');
  t.equal(json(resumed).startedAt, '2025-12-31T23:00:00.000Z', 'resuming keeps the first start');

  const expose = (occurredAt: string) =>
    post(app, '/v1/experiments/imp/exposures', { userId: 'u1', occurredAt });
  expectProblem(t, await expose('2025-12-31T22:59:59Z'), 400, 'validation_failed', 'occurredAt');
  expectProblem(t, await expose('1970-01-01T00:00:00Z'), 400, 'validation_failed', 'occurredAt');
  const stored = await get(app, '/v1/experiments/imp/results');
  t.equal(
    json<{ totals: { assigned: number } }>(stored).totals.assigned,
    0,
    'a refused exposure assigns nobody',
  );
  t.equal(json(await expose('2026-02-01T00:00:00Z')).firstExposure, true);

  const batch = (occurredAt: string) =>
    post(app, '/v1/events', {
      events: [{ type: 'experiment_exposure', experimentKey: 'imp', userId: 'u1', occurredAt }],
    });
  t.match(
    json(await batch('2026-01-15T00:00:00Z')),
    { accepted: 1, duplicates: 0 },
    'an earlier exposure is a change',
  );
  t.match(
    json(await batch('2026-01-20T00:00:00Z')),
    { accepted: 0, duplicates: 1 },
    'a later one changes nothing',
  );
  t.match(json(await batch('2025-06-01T00:00:00Z')), {
    accepted: 0,
    rejected: [{ index: 0, code: 'validation_failed', detail: /^occurredAt: / }],
  });
  const exposure = json(await expose('2026-03-01T00:00:00Z'));
  t.equal(exposure.exposedAt, '2026-01-15T00:00:00.000Z');
});

t.test(
  'the results timeline covers at most the last 366 days, the first of them holding all before',
  async (t) => {
    const app = await build(t);
    await post(app, '/v1/experiments', { key: 'old', variants: VARIANTS });
    await post(app, '/v1/experiments/old/start', { startedAt: '2020-01-01T00:00:00Z' });
    for (const [userId, occurredAt] of [
      ['early', '2020-01-01T12:00:00Z'],
      ['late', '2025-06-30T12:00:00Z'],
    ] as const) {
      t.equal((await post(app, '/v1/experiments/old/exposures', { userId, occurredAt })).statusCode, 200);
    }
    const r = json<{ days: { date: string; variants: { exposed: number }[] }[] }>(
      await get(app, '/v1/experiments/old/results/timeline'),
    );
    t.equal(r.days.length, 366);
    t.equal(r.days[0]!.date, '2024-06-30T00:00:00.000Z');
    t.equal(r.days.at(-1)!.date, '2025-06-30T00:00:00.000Z');
    const total = (d: { variants: { exposed: number }[] }) => d.variants.reduce((s, v) => s + v.exposed, 0);
    t.equal(total(r.days[0]!), 1, 'the exposure of 2020 is counted from the first day shown');
    t.equal(total(r.days.at(-1)!), 2);
  },
);

t.test('one batch: events of a user apply in order while many users are applied together', async (t) => {
  const app = await build(t);
  await post(app, '/v1/experiments', { key: 'mix', variants: VARIANTS });
  await post(app, '/v1/experiments/mix/start', { startedAt: '2026-01-01T00:00:00Z' });
  const ev = (userId: string, day: number) => ({
    type: 'experiment_exposure',
    experimentKey: 'mix',
    userId,
    occurredAt: `2026-02-${String(day).padStart(2, '0')}T00:00:00Z`,
  });
  const others = Array.from({ length: 150 }, (_, i) => ev(`o${i}`, 10));
  const events = [
    ev('u1', 20),
    ...others.slice(0, 75),
    ev('u1', 5), // earlier: a change
    ev('u1', 25), // later: a duplicate
    ...others.slice(75),
    ev('u1', 5), // the same time again: a duplicate
    { ...ev('u2', 1), experimentKey: 'nope' },
    ev('o0', 10), // repeated: a duplicate
  ];
  const res = json<{
    accepted: number;
    duplicates: number;
    rejected: { index: number; code: string; detail: string }[];
  }>(await post(app, '/v1/events', { events }));
  t.equal(res.accepted, 152, 'u1 twice, 150 others');
  t.equal(res.duplicates, 3);
  t.same(res.rejected, [
    { index: events.length - 2, code: 'experiment_not_found', detail: res.rejected[0]?.detail },
  ]);
  const u1 = json(
    await post(app, '/v1/experiments/mix/exposures', { userId: 'u1', occurredAt: '2026-03-01T00:00:00Z' }),
  );
  t.equal(u1.exposedAt, '2026-02-05T00:00:00.000Z');
  const results = json<{ totals: { assigned: number; exposed: number } }>(
    await get(app, '/v1/experiments/mix/results'),
  );
  t.match(results.totals, { assigned: 151, exposed: 151 });
});

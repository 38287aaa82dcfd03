import fc from 'fast-check';
import t, { type Test } from 'tap';
import { ResultsStore } from '../../src/experiments/results-store.js';
import { build, json, usingPostgres } from '../helper.js';
import { ResultsRecount } from '../support/results-recount.js';

/*
 * The incremental aggregates against a full recount from assignments and conversions, after random sequences of
 * assignments, exposures (single, batched, out of order), conversions (before exposure, duplicates, with and
 * without event ids and values) and completion. On PostgreSQL the commands run in concurrent groups, so writers
 * race for the same users and counter rows.
 */

type App = Awaited<ReturnType<typeof build>>;

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
const METRICS = ['conversion', 'revenue'];
// Event times: whole quarter hours and odd seconds over days that straddle midnight in UTC and in India.
const START = Date.parse('2026-01-01T00:00:00Z');
const time = fc.option(
  fc
    .integer({ min: 0, max: 4 * 96 })
    .map((q) => new Date(START + q * 900_000 + (q % 3) * 7_000).toISOString()),
  { nil: undefined, freq: 6 },
);

const user = fc.constantFrom(...USERS);
const assign = fc.record({ kind: fc.constant('assign' as const), userId: user, expose: fc.boolean() });
const expose = fc.record({ kind: fc.constant('expose' as const), userId: user, occurredAt: time });
const convert = fc.record({
  kind: fc.constant('convert' as const),
  userId: user,
  metric: fc.constantFrom(...METRICS),
  value: fc.option(fc.constantFrom(1, 2.5, 10, -3), { nil: undefined }),
  eventId: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  occurredAt: time,
});
const batch = fc.record({
  kind: fc.constant('events' as const),
  events: fc.array(fc.oneof(expose, convert), { minLength: 1, maxLength: 6 }),
});
const complete = fc.record({ kind: fc.constant('complete' as const) });
const command = fc.oneof(
  { arbitrary: assign, weight: 3 },
  { arbitrary: expose, weight: 3 },
  { arbitrary: convert, weight: 4 },
  { arbitrary: batch, weight: 2 },
  { arbitrary: complete, weight: 1 },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

const post = (app: App, url: string, payload: object) => app.inject({ method: 'POST', url, payload });

function run(app: App, key: string, c: Command) {
  const base = `/v1/experiments/${key}`;
  const event = (e: Command & { kind: 'expose' | 'convert' }) => {
    const { kind, ...fields } = e;
    const type = kind === 'expose' ? 'experiment_exposure' : 'experiment_conversion';
    return { type, experimentKey: key, ...fields };
  };
  switch (c.kind) {
    case 'assign':
      return post(app, `${base}/assignments`, { userId: c.userId, expose: c.expose });
    case 'expose':
      return post(app, `${base}/exposures`, { userId: c.userId, occurredAt: c.occurredAt });
    case 'convert': {
      const { kind: _kind, ...body } = c;
      return post(app, `${base}/conversions`, body);
    }
    case 'events':
      return post(app, '/v1/events', { events: c.events.map(event) });
    case 'complete':
      return post(app, `${base}/winner`, { variant: 'control' });
  }
}

let n = 0;

async function createExperiment(app: App): Promise<string> {
  const key = `agg-${n++}`;
  const created = await post(app, '/v1/experiments', {
    key,
    variants: [
      { key: 'control', weight: 50 },
      { key: 'variant_a', weight: 50 },
    ],
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  await post(app, `/v1/experiments/${key}/start`, { startedAt: new Date(START).toISOString() });
  return key;
}

async function check(t: Test, app: App, commands: Command[], groups: number[]) {
  const key = await createExperiment(app);
  // Most users are assigned unexposed first, so that conversions before exposure are common.
  for (const userId of USERS.slice(0, 5)) await post(app, `/v1/experiments/${key}/assignments`, { userId });
  let i = 0;
  for (const size of groups) {
    const group = commands.slice(i, i + size);
    i += size;
    const answers = await Promise.all(group.map((c) => run(app, key, c)));
    for (const a of answers) if (a.statusCode >= 500) throw new Error(a.body);
    for (const a of answers) console.error('STATUS', a.statusCode, a.body.slice(0, 150));
  }
  const { id, completedAt } = (await app.db
    .knex('experiments')
    .where({ key })
    .first('id', 'completed_at as completedAt')) as { id: number; completedAt: Date | null };
  const store = new ResultsStore(app.db.knex);
  const recount = new ResultsRecount(app.db.knex);
  const sorted = <T extends { variant: string }>(rows: T[]) =>
    [...rows].sort((a, b) => a.variant.localeCompare(b.variant));
  for (const metric of [...METRICS, 'unused']) {
    const got = sorted(await store.aggregate(id, metric, completedAt));
    const want = sorted(await recount.aggregate(id, metric, completedAt));
    t.equal(got.length, want.length, `${key} ${metric}: variants`);
    want.forEach((w, k) => {
      const g = got[k]!;
      const { valueVariance: gv, ...gRest } = g;
      const { valueVariance: wv, ...wRest } = w;
      t.same(gRest, wRest, `${key} ${metric}: ${w.variant}`);
      const close =
        gv === wv || (gv !== null && wv !== null && Math.abs(gv - wv) <= 1e-9 * Math.max(1, Math.abs(wv)));
      t.ok(close, `${key} ${metric}: ${w.variant} variance ${gv} ≈ ${wv}`);
    });
    for (const tz of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
      const days = (rows: { day: Date; variant: string; exposed: number; converted: number }[]) =>
        rows.map((r) => `${r.day.toISOString()} ${r.variant} ${r.exposed} ${r.converted}`);
      t.same(
        days(await store.daily(id, metric, completedAt, tz)),
        days(await recount.daily(id, metric, completedAt, tz)),
        `${key} ${metric} timeline in ${tz}`,
      );
    }
  }
}

t.test('aggregates equal a full recount after random interleavings of events', async (t) => {
  const app = await build(t);
  await fc.assert(
    fc.asyncProperty(
      fc.array(command, { minLength: 10, maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: usingPostgres ? 8 : 1 }), { minLength: 40, maxLength: 40 }),
      async (commands, groups) => {
        await check(t, app, commands, groups);
      },
    ),
    { numRuns: usingPostgres ? 12 : 10 },
  );
});

t.test(
  'a conversion stored before the exposure counts once the exposure arrives, from then on only',
  async (t) => {
    const app = await build(t);
    const key = await createExperiment(app);
    const at = (h: number) => new Date(START + h * 3_600_000).toISOString();
    await post(app, `/v1/experiments/${key}/assignments`, { userId: 'late' });
    await post(app, `/v1/experiments/${key}/conversions`, {
      userId: 'late',
      value: 5,
      eventId: 'x',
      occurredAt: at(5),
    });
    await post(app, `/v1/experiments/${key}/conversions`, {
      userId: 'late',
      value: 7,
      eventId: 'y',
      occurredAt: at(1),
    });
    let r = json<{ totals: { exposed: number; converted: number } }>(
      await app.inject({ url: `/v1/experiments/${key}/results` }),
    );
    t.same(r.totals, { assigned: 1, exposed: 0, converted: 0 }, 'not exposed: nothing counts');
    await post(app, `/v1/experiments/${key}/exposures`, { userId: 'late', occurredAt: at(3) });
    r = json(await app.inject({ url: `/v1/experiments/${key}/results` }));
    const sum = (x: typeof r) => (x as unknown as { variants: { value: { sum: number } | null }[] }).variants;
    t.same(r.totals, { assigned: 1, exposed: 1, converted: 1 }, 'exposed at 3h: the 5h conversion counts');
    t.same(
      sum(r)
        .map((v) => v.value?.sum ?? 0)
        .reduce((a, b) => a + b, 0),
      5,
    );
    await post(app, `/v1/experiments/${key}/exposures`, { userId: 'late', occurredAt: at(0) });
    r = json(await app.inject({ url: `/v1/experiments/${key}/results` }));
    t.same(
      sum(r)
        .map((v) => v.value?.sum ?? 0)
        .reduce((a, b) => a + b, 0),
      12,
      'an earlier exposure: both count',
    );
  },
);

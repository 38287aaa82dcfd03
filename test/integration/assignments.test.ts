import t from 'tap';
import { bucketUser } from '../../src/experiments/bucketing.js';
import { build, json, startedExperiment } from '../helper.js';

interface A {
  experimentKey: string;
  userId: string;
  variant: string;
  inExperiment: boolean;
  reason: string;
  assignedAt: string | null;
  exposedAt: string | null;
}

const assign = async (
  app: Awaited<ReturnType<typeof build>>,
  key: string,
  userId: string,
  expose = false,
) => {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/experiments/${key}/assignments`,
    payload: { userId, expose },
  });
  if (res.statusCode !== 200) throw new Error(res.body);
  return json<A>(res);
};

t.test('assignment follows GrowthBook bucketing and is sticky', async (t) => {
  const app = await build(t);
  await startedExperiment(app, {
    key: 'bucket',
    hashSeed: 'seed-1',
    variants: [
      { key: 'control', weight: 20 },
      { key: 'b', weight: 30 },
      { key: 'c', weight: 50 },
    ],
  });
  const counts: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    const userId = `user-${i}`;
    const a = await assign(app, 'bucket', userId);
    const expected = ['control', 'b', 'c'][
      bucketUser({ hashSeed: 'seed-1', userId, weights: [20, 30, 50], trafficPercent: 100 })
    ];
    t.equal(a.variant, expected, userId);
    t.equal(a.reason, 'new_assignment');
    counts[a.variant] = (counts[a.variant] ?? 0) + 1;
  }
  t.ok(counts.c! > counts.control!, 'weights matter');

  const first = await assign(app, 'bucket', 'user-7');
  t.equal(first.reason, 'existing_assignment');
  t.equal(first.inExperiment, true);
  t.type(first.assignedAt, 'string');
  t.equal(first.exposedAt, null);

  // Weights can only change in draft, but traffic can change any time: the stored assignment wins.
  await app.inject({ method: 'PATCH', url: '/v1/experiments/bucket', payload: { trafficPercent: 0 } });
  const sticky = await assign(app, 'bucket', 'user-7');
  t.equal(sticky.variant, first.variant);
  t.equal(sticky.reason, 'existing_assignment');
  const excluded = await assign(app, 'bucket', 'new-user');
  t.match(excluded, {
    variant: 'control',
    inExperiment: false,
    reason: 'traffic_excluded',
    assignedAt: null,
  });
});

t.test('every reason', async (t) => {
  const app = await build(t);
  t.match(await assign(app, 'missing', 'u'), {
    experimentKey: 'missing',
    variant: 'control',
    inExperiment: false,
    reason: 'unknown_experiment',
    assignedAt: null,
    exposedAt: null,
  });
  await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: {
      key: 'draft',
      controlVariant: 'base',
      variants: [
        { key: 'x', weight: 1 },
        { key: 'base', weight: 1 },
      ],
    },
  });
  t.match(await assign(app, 'draft', 'u'), { variant: 'base', inExperiment: false, reason: 'not_running' });

  await startedExperiment(app, { key: 'life' });
  const a = await assign(app, 'life', 'u1');
  await app.inject({ method: 'POST', url: '/v1/experiments/life/stop' });
  t.match(await assign(app, 'life', 'u1'), {
    variant: a.variant,
    inExperiment: true,
    reason: 'existing_assignment',
  });
  t.match(await assign(app, 'life', 'u2'), {
    variant: 'control',
    inExperiment: false,
    reason: 'not_running',
  });
  await app.inject({ method: 'POST', url: '/v1/experiments/life/winner', payload: { variant: 'variant_a' } });
  t.match(await assign(app, 'life', 'u1'), { variant: 'variant_a', inExperiment: false, reason: 'winner' });
  t.match(await assign(app, 'life', 'u3'), { variant: 'variant_a', inExperiment: false, reason: 'winner' });
});

t.test('expose:true records the exposure in the same call; multi-experiment assignment', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'one' });
  await startedExperiment(app, { key: 'two' });
  await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: {
      key: 'three',
      variants: [
        { key: 'control', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    },
  });
  const exposed = await assign(app, 'one', 'u', true);
  t.type(exposed.exposedAt, 'string');
  t.equal(exposed.reason, 'new_assignment');

  const all = json<{ userId: string; assignments: A[] }>(
    await app.inject({ method: 'POST', url: '/v1/assignments', payload: { userId: 'u' } }),
  );
  t.same(
    all.assignments.map((a) => [a.experimentKey, a.reason]),
    [
      ['one', 'existing_assignment'],
      ['two', 'new_assignment'],
    ],
    'all running experiments',
  );
  const named = json<{ assignments: A[] }>(
    await app.inject({
      method: 'POST',
      url: '/v1/assignments',
      payload: { userId: 'u', experiments: ['three', 'nope', 'two'], expose: true },
    }),
  );
  t.same(
    named.assignments.map((a) => [a.experimentKey, a.reason]),
    [
      ['three', 'not_running'],
      ['nope', 'unknown_experiment'],
      ['two', 'existing_assignment'],
    ],
    'in request order',
  );
  t.type(named.assignments[2]!.exposedAt, 'string', 'expose applies to existing assignments');
});

t.test('identifiers are used verbatim and validated', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'ids' });
  const a = await assign(app, 'ids', ' Alice ');
  const b = await assign(app, 'ids', 'alice');
  t.equal(a.userId, ' Alice ');
  t.equal(a.reason, 'new_assignment');
  t.equal(b.reason, 'new_assignment', 'no trimming or case folding');
  t.equal((await assign(app, 'ids', 'x'.repeat(256))).reason, 'new_assignment');
  t.equal((await assign(app, 'ids', '😀'.repeat(128))).reason, 'new_assignment', '256 UTF-16 code units');
  const astral = await app.inject({
    method: 'POST',
    url: '/v1/experiments/ids/assignments',
    payload: { userId: '😀'.repeat(129) },
  });
  t.equal(astral.statusCode, 400, '258 UTF-16 code units (129 code points) is too long');
  for (const payload of [{}, { userId: '' }, { userId: 'x'.repeat(257) }, { userId: 5 }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/experiments/ids/assignments', payload });
    t.equal(res.statusCode, 400);
    t.equal(json<{ errors: { path: string }[] }>(res).errors[0]!.path, 'userId');
  }
  const badKey = await app.inject({
    method: 'POST',
    url: '/v1/experiments/BAD!/assignments',
    payload: { userId: 'u' },
  });
  t.equal(badKey.statusCode, 400);
});

t.test('exposures: assign-first, first time kept, idempotent, variant mismatch', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'ex' }, '2025-01-01T00:00:00Z');
  const expose = (payload: object) =>
    app.inject({ method: 'POST', url: '/v1/experiments/ex/exposures', payload });
  const t1 = '2026-01-10T10:00:00.000Z';
  const first = json(await expose({ userId: 'u', occurredAt: t1 }));
  t.match(first, {
    experimentKey: 'ex',
    userId: 'u',
    inExperiment: true,
    exposedAt: t1,
    firstExposure: true,
  });
  const again = json(await expose({ userId: 'u', occurredAt: '2026-01-11T10:00:00Z' }));
  t.match(again, { exposedAt: t1, firstExposure: false });
  const earlier = json(await expose({ userId: 'u', occurredAt: '2026-01-09T10:00:00+02:00' }));
  t.equal(earlier.exposedAt, '2026-01-09T08:00:00.000Z', 'the earliest exposure is the first one');
  t.equal(earlier.firstExposure, false);
  const other = first.variant === 'control' ? 'variant_a' : 'control';
  const mismatch = await expose({ userId: 'u', variant: other });
  t.equal(mismatch.statusCode, 409);
  t.equal(json(mismatch).code, 'variant_mismatch');
  t.equal((await expose({ userId: 'u', variant: first.variant })).statusCode, 200);

  const missing = await app.inject({
    method: 'POST',
    url: '/v1/experiments/zzz/exposures',
    payload: { userId: 'u' },
  });
  t.equal(missing.statusCode, 404);
  t.equal(json(missing).code, 'experiment_not_found');
  const future = await expose({ userId: 'u', occurredAt: new Date(Date.now() + 3600_000).toISOString() });
  t.equal(future.statusCode, 400);
  t.equal(json<{ errors: { path: string }[] }>(future).errors[0]!.path, 'occurredAt');

  await app.inject({ method: 'PATCH', url: '/v1/experiments/ex', payload: { trafficPercent: 0 } });
  const excluded = json(await expose({ userId: 'nobody' }));
  t.match(excluded, { variant: 'control', inExperiment: false, exposedAt: null, firstExposure: false });
  const check = json(
    await app.inject({
      method: 'POST',
      url: '/v1/experiments/ex/assignments',
      payload: { userId: 'nobody' },
    }),
  );
  t.equal(check.reason, 'traffic_excluded', 'nothing was stored');
});

t.test('conversions: dedup, eventId, not_assigned', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'cv' });
  const convert = (payload: object) =>
    app.inject({ method: 'POST', url: '/v1/experiments/cv/conversions', payload });
  const noUser = await convert({ userId: 'ghost' });
  t.equal(noUser.statusCode, 409);
  t.equal(json(noUser).code, 'not_assigned');
  t.equal(
    (await app.inject({ method: 'POST', url: '/v1/experiments/nope/conversions', payload: { userId: 'u' } }))
      .statusCode,
    404,
  );

  await assign(app, 'cv', 'u');
  t.same(json(await convert({ userId: 'u' })), { recorded: true, duplicate: false });
  t.same(json(await convert({ userId: 'u', value: 5 })), { recorded: false, duplicate: true });
  t.same(json(await convert({ userId: 'u', metric: 'revenue', value: 10, eventId: 'o1' })), {
    recorded: true,
    duplicate: false,
  });
  t.same(json(await convert({ userId: 'u', metric: 'revenue', value: 20, eventId: 'o2' })), {
    recorded: true,
    duplicate: false,
  });
  t.same(json(await convert({ userId: 'u', metric: 'revenue', value: 10, eventId: 'o1' })), {
    recorded: false,
    duplicate: true,
  });
  const bad = await convert({ userId: 'u', value: 'ten' });
  t.equal(bad.statusCode, 400);
  t.equal(json<{ errors: { path: string }[] }>(bad).errors[0]!.path, 'value');
});

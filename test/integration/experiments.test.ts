import t from 'tap';
import { build, json } from '../helper.js';

const variants = [
  { key: 'control', weight: 50 },
  { key: 'variant_a', weight: 50 },
];

t.test('create, get, list with pagination and status filter', async (t) => {
  const app = await build(t);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: { key: 'cta-color', name: 'CTA colour', variants, hypothesis: 'green converts' },
  });
  t.equal(res.statusCode, 201);
  const e = json(res);
  t.match(e, {
    key: 'cta-color',
    name: 'CTA colour',
    status: 'draft',
    controlVariant: 'control',
    targetMetric: 'conversion',
    trafficPercent: 100,
    hashSeed: 'cta-color',
    winner: null,
    startedAt: null,
    description: null,
    hypothesis: 'green converts',
  });
  t.same(e.variants, [
    { key: 'control', weight: 50, description: null },
    { key: 'variant_a', weight: 50, description: null },
  ]);
  t.match(e.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const dup = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: { key: 'cta-color', variants },
  });
  t.equal(dup.statusCode, 409);
  t.equal(json(dup).code, 'experiment_exists');
  t.match(dup.headers['content-type'], /application\/problem\+json/);

  for (const key of ['b', 'c', 'd']) {
    await app.inject({ method: 'POST', url: '/v1/experiments', payload: { key, variants } });
  }
  await app.inject({ method: 'POST', url: '/v1/experiments/c/start' });
  const page1 = json<{ items: { key: string }[]; nextCursor: string }>(
    await app.inject({ url: '/v1/experiments?limit=2' }),
  );
  t.same(
    page1.items.map((i) => i.key),
    ['b', 'c'],
  );
  t.type(page1.nextCursor, 'string');
  const page2 = json<{ items: { key: string }[]; nextCursor: string | null }>(
    await app.inject({ url: `/v1/experiments?limit=2&cursor=${page1.nextCursor}` }),
  );
  t.same(
    page2.items.map((i) => i.key),
    ['cta-color', 'd'],
  );
  t.equal(page2.nextCursor, null);
  const running = json<{ items: { key: string }[] }>(
    await app.inject({ url: '/v1/experiments?status=running' }),
  );
  t.same(
    running.items.map((i) => i.key),
    ['c'],
  );
  const bad = await app.inject({ url: '/v1/experiments?cursor=!!!' });
  t.equal(bad.statusCode, 400);
  t.equal((await app.inject({ url: '/v1/experiments/nope' })).statusCode, 404);
  t.equal(json(await app.inject({ url: '/v1/experiments/nope' })).code, 'experiment_not_found');
});

t.test('lifecycle: every transition checked and written to history', async (t) => {
  const app = await build(t);
  await app.inject({ method: 'POST', url: '/v1/experiments', payload: { key: 'flow', variants } });
  const post = (path: string, payload?: object) =>
    app.inject({ method: 'POST', url: `/v1/experiments/flow/${path}`, ...(payload ? { payload } : {}) });

  t.equal((await post('stop')).statusCode, 409, 'draft cannot pause');
  t.equal(json(await post('stop')).code, 'invalid_transition');
  t.equal((await post('winner', { variant: 'control' })).statusCode, 409, 'draft cannot complete');

  const started = json(await post('start'));
  t.equal(started.status, 'running');
  t.type(started.startedAt, 'string');
  t.equal(json(await post('start')).code, 'invalid_transition', 'running cannot start again');

  const paused = json(await post('stop'));
  t.equal(paused.status, 'paused');
  t.type(paused.stoppedAt, 'string');
  const resumed = json(await post('start'));
  t.equal(resumed.status, 'running');
  t.equal(resumed.startedAt, started.startedAt, 'startedAt keeps the first start');

  const badWinner = await post('winner', { variant: 'nope' });
  t.equal(badWinner.statusCode, 400);
  t.equal(json<{ errors: { path: string }[] }>(badWinner).errors[0]!.path, 'variant');

  const done = json(await post('winner', { variant: 'variant_a', note: 'clear win' }));
  t.equal(done.status, 'completed');
  t.equal(done.winner, 'variant_a');
  t.type(done.completedAt, 'string');
  t.equal(json(await post('start')).code, 'invalid_transition', 'completed is final');
  t.equal(json(await post('stop')).code, 'invalid_transition');

  const history = json<{ items: { action: string; actor: string; at: string; details: object }[] }>(
    await app.inject({ url: '/v1/experiments/flow/history' }),
  );
  t.same(
    history.items.map((h) => h.action),
    ['created', 'started', 'paused', 'resumed', 'completed'],
  );
  t.equal(history.items[0]!.actor, 'anonymous');
  t.match(history.items[4]!.details, {
    from: 'running',
    to: 'completed',
    variant: 'variant_a',
    note: 'clear win',
  });
});

t.test('patch: draft-only fields, any-time fields, delete only drafts', async (t) => {
  const app = await build(t);
  await app.inject({ method: 'POST', url: '/v1/experiments', payload: { key: 'p', variants } });
  const patched = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/p',
    payload: {
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 3 },
      ],
      controlVariant: 'a',
      trafficPercent: 40,
    },
  });
  t.equal(patched.statusCode, 200);
  t.match(json(patched), { controlVariant: 'a', trafficPercent: 40 }, 'new variants name their control');

  await app.inject({ method: 'POST', url: '/v1/experiments/p/start' });
  const locked = await app.inject({ method: 'PATCH', url: '/v1/experiments/p', payload: { hashSeed: 'x' } });
  t.equal(locked.statusCode, 409);
  t.equal(json(locked).code, 'experiment_not_draft');
  const free = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/p',
    payload: { trafficPercent: 10, name: 'Renamed', description: 'd' },
  });
  t.equal(free.statusCode, 200);
  t.match(json(free), { trafficPercent: 10, name: 'Renamed', description: 'd' });

  const del = await app.inject({ method: 'DELETE', url: '/v1/experiments/p' });
  t.equal(del.statusCode, 409);
  t.equal(json(del).code, 'experiment_not_draft');

  await app.inject({ method: 'POST', url: '/v1/experiments', payload: { key: 'gone', variants } });
  const ok = await app.inject({ method: 'DELETE', url: '/v1/experiments/gone' });
  t.equal(ok.statusCode, 204);
  t.equal(ok.body, '');
  t.equal((await app.inject({ url: '/v1/experiments/gone' })).statusCode, 404);
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/experiments/gone' })).statusCode, 404);
});

t.test('bad input is a 4xx problem naming the field, and nothing is written', async (t) => {
  const app = await build(t);
  const create = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/v1/experiments', payload: payload as object });
  const cases: [string, unknown, string][] = [
    ['invalid key', { key: 'Bad Key', variants }, 'key'],
    ['one variant', { key: 'x', variants: [{ key: 'a', weight: 1 }] }, 'variants'],
    [
      '21 variants',
      { key: 'x', variants: Array.from({ length: 21 }, (_, i) => ({ key: `v${i}`, weight: 1 })) },
      'variants',
    ],
    [
      'duplicate variant keys',
      {
        key: 'x',
        variants: [
          { key: 'a', weight: 1 },
          { key: 'a', weight: 1 },
        ],
      },
      'variants.1.key',
    ],
    [
      'zero weight',
      {
        key: 'x',
        variants: [
          { key: 'a', weight: 0 },
          { key: 'b', weight: 1 },
        ],
      },
      'variants.0.weight',
    ],
    ['traffic above 100', { key: 'x', variants, trafficPercent: 101 }, 'trafficPercent'],
    ['traffic below 0', { key: 'x', variants, trafficPercent: -1 }, 'trafficPercent'],
    ['unknown field', { key: 'x', variants, colour: 'red' }, ''],
    ['control not a variant', { key: 'x', variants, controlVariant: 'zzz' }, 'controlVariant'],
    ['bad metric', { key: 'x', variants, targetMetric: 'Revenue!' }, 'targetMetric'],
  ];
  for (const [name, payload, path] of cases) {
    const res = await create(payload);
    t.equal(res.statusCode, 400, name);
    const body = json<{ code: string; errors: { path: string; message: string }[] }>(res);
    t.equal(body.code, 'validation_failed', name);
    t.ok(
      body.errors.some((e) => e.path === path || (path === '' && e.message.length > 0)),
      `${name} names ${path}: ${JSON.stringify(body.errors)}`,
    );
  }
  const malformed = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    headers: { 'content-type': 'application/json' },
    payload: '{"key": ',
  });
  t.equal(malformed.statusCode, 400);
  t.equal(json(malformed).code, 'validation_failed');
  const text = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    headers: { 'content-type': 'text/plain' },
    payload: 'hello',
  });
  t.equal(text.statusCode, 415);
  t.equal(json(text).code, 'unsupported_media_type');
  const huge = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ key: 'x', variants, description: 'x'.repeat(1024 * 1024) }),
  });
  t.equal(huge.statusCode, 413);
  t.equal(json(huge).code, 'payload_too_large');
  const list = json<{ items: unknown[] }>(await app.inject({ url: '/v1/experiments' }));
  t.equal(list.items.length, 0, 'nothing was written');
  const route = await app.inject({ url: '/v1/nothing-here' });
  t.equal(route.statusCode, 404);
  t.equal(json(route).code, 'not_found');
});

import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { hash } from '../../src/experiments/bucketing.js';
import { build, json, testDatabase } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;
interface A {
  variant: string;
  inExperiment: boolean;
  reason: string;
  assignedAt: string | null;
}
interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}

const post = (app: App, url: string, payload: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url, payload });

const draft = (app: App, key: string, namespace?: unknown, extra: Record<string, unknown> = {}) =>
  post(app, '/v1/experiments', {
    key,
    variants: [{ key: 'control' }, { key: 'treatment' }],
    ...(namespace === undefined ? {} : { namespace }),
    ...extra,
  });

/** GrowthBook's namespace hash, straight from the SPEC's definition. */
const nsHash = (namespace: string, userId: string) => hash(`__${namespace}`, userId, 1)!;

t.test('namespaces: create (admin), list (read), duplicates and bad keys', async (t) => {
  const KEYS = 'admin:admin-secret-1,read:read-secret-1';
  const app = await build(t, { API_KEYS: KEYS });
  const admin = { authorization: 'Bearer admin-secret-1' };
  const read = { authorization: 'Bearer read-secret-1' };
  const create = (headers: Record<string, string>, key: unknown) =>
    app.inject({ method: 'POST', url: '/v1/namespaces', headers, payload: { key } });
  t.equal((await create(read, 'checkout')).statusCode, 403);
  const created = await create(admin, 'checkout');
  t.equal(created.statusCode, 201);
  t.match(json(created), { key: 'checkout', experiments: [] });
  t.match(json(created).createdAt, /Z$/);
  const dupe = await create(admin, 'checkout');
  t.equal(dupe.statusCode, 409);
  t.equal(json<Problem>(dupe).code, 'namespace_exists');
  for (const bad of ['Checkout', '', '-x', 'a'.repeat(65), 7]) {
    const res = await create(admin, bad);
    t.equal(res.statusCode, 400, JSON.stringify(bad));
    t.equal(json<Problem>(res).errors?.[0]?.path, 'key');
  }
  await create(admin, 'banner');
  await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    headers: admin,
    payload: {
      key: 'cta',
      variants: [{ key: 'a' }, { key: 'b' }],
      namespace: { key: 'checkout', range: [0.2, 0.7] },
    },
  });
  t.equal((await app.inject({ url: '/v1/namespaces' })).statusCode, 401);
  const list = await app.inject({ url: '/v1/namespaces?limit=1', headers: read });
  t.equal(list.statusCode, 200);
  const page = json<{ items: { key: string }[]; nextCursor: string }>(list);
  t.same(
    page.items.map((n) => n.key),
    ['banner'],
  );
  const next = await app.inject({ url: `/v1/namespaces?cursor=${page.nextCursor}`, headers: read });
  t.match(json(next), {
    items: [{ key: 'checkout', experiments: [{ key: 'cta', status: 'draft', range: [0.2, 0.7] }] }],
    nextCursor: null,
  });
});

t.test(
  'an experiment names a known namespace and a range 0 ≤ start < end ≤ 1, changeable in draft',
  async (t) => {
    const app = await build(t);
    await post(app, '/v1/namespaces', { key: 'ns' });
    const unknown = await draft(app, 'e1', { key: 'nope', range: [0, 0.5] });
    t.equal(unknown.statusCode, 400);
    t.match(json(unknown), { code: 'validation_failed', errors: [{ path: 'namespace.key' }] });
    for (const range of [[0.5, 0.5], [0.6, 0.5], [-0.1, 0.5], [0, 1.01], [0.5]]) {
      const res = await draft(app, 'e1', { key: 'ns', range });
      t.equal(res.statusCode, 400, JSON.stringify(range));
      t.match(json<Problem>(res).errors?.[0]?.path, /^namespace\.range/);
    }
    t.equal((await app.inject({ url: '/v1/experiments/e1' })).statusCode, 404, 'nothing written');
    const ok = await draft(app, 'e1', { key: 'ns', range: [0, 1] });
    t.equal(ok.statusCode, 201);
    t.same(json(ok).namespace, { key: 'ns', range: [0, 1] });
    const plain = await draft(app, 'e2');
    t.equal(json(plain).namespace, null);

    const patch = (payload: Record<string, unknown>) =>
      app.inject({ method: 'PATCH', url: '/v1/experiments/e1', payload });
    const moved = await patch({ namespace: { key: 'ns', range: [0.25, 0.5] } });
    t.same(json(moved).namespace, { key: 'ns', range: [0.25, 0.5] });
    const badPatch = await patch({ namespace: { key: 'other', range: [0, 1] } });
    t.equal(badPatch.statusCode, 400);
    t.equal(json<Problem>(badPatch).errors?.[0]?.path, 'namespace.key');
    t.same(json(await patch({ namespace: null })).namespace, null);
    await patch({ namespace: { key: 'ns', range: [0.25, 0.5] } });
    await post(app, '/v1/experiments/e1/start');
    const late = await patch({ namespace: { key: 'ns', range: [0, 1] } });
    t.equal(late.statusCode, 409);
    t.equal(json<Problem>(late).code, 'experiment_not_draft');
    t.equal((await patch({ trafficPercent: 50 })).statusCode, 200, 'traffic still changes');
  },
);

t.test('starting or resuming into an overlapping live range is 409 namespace_overlap', async (t) => {
  const app = await build(t);
  await post(app, '/v1/namespaces', { key: 'ns' });
  await post(app, '/v1/namespaces', { key: 'other' });
  await draft(app, 'a', { key: 'ns', range: [0, 0.5] });
  await draft(app, 'b', { key: 'ns', range: [0.25, 0.75] });
  await draft(app, 'c', { key: 'ns', range: [0.5, 1] });
  await draft(app, 'd', { key: 'other', range: [0, 1] });
  const start = (key: string) => post(app, `/v1/experiments/${key}/start`);
  t.equal((await start('a')).statusCode, 200);
  const clash = await start('b');
  t.equal(clash.statusCode, 409);
  t.equal(json<Problem>(clash).code, 'namespace_overlap');
  t.match(json(clash).detail, /"a"/);
  t.equal(json(await app.inject({ url: '/v1/experiments/b' })).status, 'draft', 'nothing written');
  t.equal((await start('c')).statusCode, 200, 'touching ranges do not overlap');
  t.equal((await start('d')).statusCode, 200, 'another namespace is independent');
  await post(app, '/v1/experiments/a/stop');
  const paused = await start('b');
  t.equal(json<Problem>(paused).code, 'namespace_overlap');
  t.match(json(paused).detail, /"a"/, 'a paused experiment keeps its range');
  t.equal((await start('a')).statusCode, 200, 'resuming without overlap');
  await post(app, '/v1/experiments/a/winner', { variant: 'control' });
  t.equal(json<Problem>(await start('b')).code, 'namespace_overlap', 'still overlaps c');
  await post(app, '/v1/experiments/c/winner', { variant: 'control' });
  t.equal((await start('b')).statusCode, 200, 'completed experiments free their ranges');
});

t.test('users outside the range get control, namespace_excluded, nothing stored', async (t) => {
  const app = await build(t);
  await post(app, '/v1/namespaces', { key: 'checkout' });
  await draft(app, 'low', { key: 'checkout', range: [0, 0.4] });
  await draft(app, 'high', { key: 'checkout', range: [0.4, 1] }, { trafficPercent: 50 });
  await post(app, '/v1/experiments/low/start');
  await post(app, '/v1/experiments/high/start');
  let inside = 0;
  for (let i = 0; i < 120; i++) {
    const userId = `user-${i}`;
    const res = await post(app, '/v1/experiments/low/assignments', { userId });
    const a = json<A>(res);
    if (nsHash('checkout', userId) < 0.4) {
      inside++;
      t.equal(a.reason, 'new_assignment', userId);
      t.equal(a.inExperiment, true);
    } else {
      t.same(
        { variant: a.variant, inExperiment: a.inExperiment, reason: a.reason, assignedAt: a.assignedAt },
        { variant: 'control', inExperiment: false, reason: 'namespace_excluded', assignedAt: null },
        userId,
      );
    }
  }
  t.ok(inside > 20 && inside < 100, `${inside} of 120 inside [0, 0.4)`);
  const { rows } = (await app.db.knex.raw(`SELECT count(*)::int AS n FROM assignments`)) as {
    rows: { n: number }[];
  };
  t.equal(rows[0]!.n, inside, 'only users inside the range are stored');

  // All running experiments for one user: never in both; namespace checked before traffic.
  let both = 0;
  for (let i = 0; i < 120; i++) {
    const userId = `user-${i}`;
    const res = json<{ assignments: (A & { experimentKey: string })[] }>(
      await post(app, '/v1/assignments', { userId }),
    );
    const byKey = Object.fromEntries(res.assignments.map((a) => [a.experimentKey, a]));
    if (byKey.low!.inExperiment && byKey.high!.inExperiment) both++;
    const h = nsHash('checkout', userId);
    if (h < 0.4) t.equal(byKey.high!.reason, 'namespace_excluded', `${userId} outside high's range`);
    else t.not(byKey.high!.reason, 'namespace_excluded', `${userId} inside high's range`);
  }
  t.equal(both, 0, 'no user is in two experiments of the namespace');

  const exposure = await post(app, '/v1/experiments/low/exposures', { userId: 'user-far' });
  if (nsHash('checkout', 'user-far') >= 0.4) {
    t.match(json(exposure), { variant: 'control', inExperiment: false, exposedAt: null });
  }
});

t.test('two concurrent starts of overlapping experiments on two instances: exactly one wins', async (t) => {
  const app = await build(t);
  const other = await buildApp({ config: configFrom(), db: await testDatabase(), migrate: false });
  t.teardown(() => other.close());
  await post(app, '/v1/namespaces', { key: 'race' });
  for (let round = 0; round < 5; round++) {
    await draft(app, `x${round}`, { key: 'race', range: [0, 0.6] });
    await draft(app, `y${round}`, { key: 'race', range: [0.5, 1] });
    const [x, y] = await Promise.all([
      post(app, `/v1/experiments/x${round}/start`),
      post(other, `/v1/experiments/y${round}/start`),
    ]);
    const codes = [x.statusCode, y.statusCode].sort();
    t.same(codes, [200, 409], `round ${round}`);
    const loser = x.statusCode === 409 ? x : y;
    t.equal(json<Problem>(loser).code, 'namespace_overlap');
    const { rows } = (await app.db.knex.raw(
      `SELECT count(*)::int AS n FROM experiments WHERE namespace_key = 'race' AND status = 'running'`,
    )) as { rows: { n: number }[] };
    t.equal(rows[0]!.n, 1, 'one live experiment');
    const winner = x.statusCode === 200 ? `x${round}` : `y${round}`;
    await post(app, `/v1/experiments/${winner}/winner`, { variant: 'control' });
  }
});

import t from 'tap';
import { bucketUser, hash } from '../../src/experiments/bucketing.js';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { build, json, startedExperiment, testDatabase } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;
interface A {
  variant: string;
  inExperiment: boolean;
  reason: string;
  assignedAt: string | null;
  exposedAt: string | null;
}
interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}

const post = (app: App, url: string, payload: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url, payload });
const assign = async (app: App, key: string, userId: string, expose = false) =>
  json<A>(await post(app, `/v1/experiments/${key}/assignments`, { userId, expose }));
const holdout = (app: App, key: string, percent: number, experiments: unknown = 'all') =>
  post(app, '/v1/holdouts', { key, percent, experiments });

/** SPEC §10.4: GrowthBook's hash v2 of "holdout:" + key. */
const under = (key: string, percent: number, userId: string) => hash(`holdout:${key}`, userId, 2)! < percent;
/** The first ids from `from` that satisfy `pred`. */
const ids = (n: number, pred: (id: string) => boolean, prefix = 'u') => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (pred(`${prefix}-${i}`)) out.push(`${prefix}-${i}`);
  return out;
};

t.test('holdouts: create (admin), read, list, delete; bad input names the field', async (t) => {
  const app = await build(t, { API_KEYS: 'admin:admin-secret-1,read:read-secret-1' });
  const admin = { authorization: 'Bearer admin-secret-1' };
  const read = { authorization: 'Bearer read-secret-1' };
  const create = (headers: Record<string, string>, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/holdouts', headers, payload });
  await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    headers: admin,
    payload: { key: 'exp', variants: [{ key: 'a' }, { key: 'b' }] },
  });
  t.equal((await create(read, { key: 'h', percent: 0.05, experiments: 'all' })).statusCode, 403);
  const created = await create(admin, { key: 'h', percent: 0.05, experiments: 'all' });
  t.equal(created.statusCode, 201);
  t.match(json(created), { key: 'h', percent: 0.05, experiments: 'all', createdAt: /Z$/ });
  const dupe = await create(admin, { key: 'h', percent: 0.1, experiments: 'all' });
  t.equal(dupe.statusCode, 409);
  t.equal(json<Problem>(dupe).code, 'holdout_exists');
  const bad: [Record<string, unknown>, string][] = [
    [{ key: 'x', percent: 0, experiments: 'all' }, 'percent'],
    [{ key: 'x', percent: 0.21, experiments: 'all' }, 'percent'],
    [{ key: 'x', percent: '0.1', experiments: 'all' }, 'percent'],
    [{ key: 'X', percent: 0.1, experiments: 'all' }, 'key'],
    [{ key: 'x', percent: 0.1, experiments: 'some' }, 'experiments'],
    [{ key: 'x', percent: 0.1, experiments: [] }, 'experiments'],
    [{ key: 'x', percent: 0.1, experiments: ['exp', 'missing'] }, 'experiments.1'],
    [{ key: 'x', percent: 0.1 }, 'experiments'],
  ];
  for (const [payload, path] of bad) {
    const res = await create(admin, payload);
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(json<Problem>(res).code, 'validation_failed');
    t.equal(json<Problem>(res).errors?.[0]?.path, path, JSON.stringify(payload));
  }
  t.equal((await app.inject({ url: '/v1/holdouts/x', headers: read })).statusCode, 404, 'nothing written');
  const listed = await create(admin, { key: 'a-list', percent: 0.2, experiments: ['exp', 'exp'] });
  t.same(json(listed).experiments, ['exp']);
  const list = json<{ items: { key: string }[]; nextCursor: string }>(
    await app.inject({ url: '/v1/holdouts?limit=1', headers: read }),
  );
  t.same(
    list.items.map((h) => h.key),
    ['a-list'],
  );
  const rest = json(await app.inject({ url: `/v1/holdouts?cursor=${list.nextCursor}`, headers: read }));
  t.match(rest, { items: [{ key: 'h' }], nextCursor: null });
  t.match(json(await app.inject({ url: '/v1/holdouts/h', headers: read })), { key: 'h', percent: 0.05 });
  const missing = await app.inject({ url: '/v1/holdouts/nope', headers: read });
  t.equal(missing.statusCode, 404);
  t.equal(json<Problem>(missing).code, 'holdout_not_found');
  const del = (key: string, headers = admin) =>
    app.inject({ method: 'DELETE', url: `/v1/holdouts/${key}`, headers });
  t.equal((await del('h', read)).statusCode, 403);
  t.equal((await del('h')).statusCode, 204);
  t.equal((await del('h')).statusCode, 404);
  t.equal((await app.inject({ url: '/v1/holdouts/h', headers: read })).statusCode, 404);
});

t.test('held-out users get control, are stored, never exposed, and leave the results', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'old' });
  const early = ids(3, (id) => under('h', 0.2, id), 'early');
  for (const userId of early) await assign(app, 'old', userId);
  t.equal(json(await holdout(app, 'h', 0.2)).experiments, 'all');
  await startedExperiment(app, { key: 'later' });

  let heldCount = 0;
  for (let i = 0; i < 150; i++) {
    const userId = `user-${i}`;
    for (const key of ['old', 'later']) {
      const a = await assign(app, key, userId, true);
      if (under('h', 0.2, userId)) {
        t.match(a, { variant: 'control', inExperiment: false, reason: 'holdout', exposedAt: null }, userId);
        t.type(a.assignedAt, 'string', 'stored as held out');
      } else t.equal(a.reason, 'new_assignment', userId);
    }
    if (under('h', 0.2, userId)) heldCount++;
  }
  t.ok(heldCount > 15 && heldCount < 50, `${heldCount} of 150 held out at 20 %`);
  const someone = ids(1, (id) => under('h', 0.2, id), 'user')[0]!;
  const again = await assign(app, 'later', someone, true);
  t.equal(again.reason, 'holdout', 'sticky');
  for (const userId of early) t.equal((await assign(app, 'old', userId)).reason, 'existing_assignment');

  // Conversions of held-out users are stored but counted nowhere; exposures neither.
  const conv = await post(app, '/v1/experiments/later/conversions', { userId: someone });
  t.same(json(conv), { recorded: true, duplicate: false });
  const exposure = json(await post(app, '/v1/experiments/later/exposures', { userId: someone }));
  t.match(exposure, { variant: 'control', inExperiment: false, exposedAt: null, firstExposure: false });
  const results = json<{ totals: { assigned: number; exposed: number; converted: number } }>(
    await app.inject({ url: '/v1/experiments/later/results' }),
  );
  t.same(results.totals, { assigned: 150 - heldCount, exposed: 150 - heldCount, converted: 0 });
  const timeline = json<{ days: { variants: { exposed: number }[] }[] }>(
    await app.inject({ url: '/v1/experiments/later/results/timeline' }),
  );
  const lastDay = timeline.days[timeline.days.length - 1]!;
  t.equal(
    lastDay.variants.reduce((s, v) => s + v.exposed, 0),
    150 - heldCount,
  );
  const kTimeline = json<{ days: { variants: { exposed: number }[] }[] }>(
    await app.inject({ url: '/v1/experiments/later/results/timeline?metric=k_factor' }),
  );
  t.equal(
    kTimeline.days.at(-1)!.variants.reduce((s, v) => s + v.exposed, 0),
    150 - heldCount,
    'the k_factor timeline leaves held-out users out too',
  );
});

t.test('an explicit list covers only its experiments; holdout is checked before namespace', async (t) => {
  const app = await build(t);
  await post(app, '/v1/namespaces', { key: 'ns' });
  await startedExperiment(app, { key: 'in-list', namespace: { key: 'ns', range: [0, 0.1] } });
  await startedExperiment(app, { key: 'not-listed' });
  await holdout(app, 'h', 0.2, ['in-list']);
  const [both] = ids(1, (id) => under('h', 0.2, id) && hash('__ns', id, 1)! >= 0.1);
  t.equal((await assign(app, 'in-list', both!)).reason, 'holdout', 'holdout before namespace');
  t.equal((await assign(app, 'not-listed', both!)).reason, 'new_assignment', 'not covered');
  const [outside] = ids(1, (id) => !under('h', 0.2, id) && hash('__ns', id, 1)! >= 0.1);
  t.equal((await assign(app, 'in-list', outside!)).reason, 'namespace_excluded');
  // Traffic comes last: a held-out user at 0 % traffic is still held out.
  await startedExperiment(app, { key: 'no-traffic', trafficPercent: 0 });
  await holdout(app, 'h2', 0.2, ['no-traffic']);
  const [held2] = ids(1, (id) => under('h2', 0.2, id) && !under('h', 0.2, id));
  t.equal((await assign(app, 'no-traffic', held2!)).reason, 'holdout');
});

t.test(
  'a user under two holdouts belongs to the older; after DELETE users are assigned normally',
  async (t) => {
    const app = await build(t);
    await startedExperiment(app, { key: 'exp' });
    await holdout(app, 'first', 0.2);
    await holdout(app, 'second', 0.2);
    const [both] = ids(1, (id) => under('first', 0.2, id) && under('second', 0.2, id));
    const [onlyFirst] = ids(1, (id) => under('first', 0.2, id) && !under('second', 0.2, id));
    const [onlySecond] = ids(1, (id) => !under('first', 0.2, id) && under('second', 0.2, id));
    for (const id of [both!, onlyFirst!, onlySecond!])
      t.equal((await assign(app, 'exp', id)).reason, 'holdout');
    const owner = async (userId: string) => {
      const { rows } = (await app.db.knex.raw(
        `SELECT h.key FROM assignments a LEFT JOIN holdouts h ON h.id = a.holdout_id WHERE a.user_id = ?`,
        [userId],
      )) as { rows: { key: string | null }[] };
      return rows[0]?.key;
    };
    t.equal(await owner(both!), 'first');
    t.equal(await owner(onlySecond!), 'second');
    const users = async (key: string) =>
      json<{ variants: { users: number }[] }>(
        await app.inject({ url: `/v1/holdouts/${key}/results?metric=conversion` }),
      ).variants[0]!.users;
    t.equal(await users('first'), 2, 'both and onlyFirst');
    t.equal(await users('second'), 1, 'onlySecond');

    t.equal((await app.inject({ method: 'DELETE', url: '/v1/holdouts/first' })).statusCode, 204);
    t.equal((await assign(app, 'exp', onlyFirst!)).reason, 'new_assignment', 'assigned normally');
    const moved = await assign(app, 'exp', both!);
    t.equal(moved.reason, 'holdout', 'still under the second holdout');
    t.equal(await owner(both!), 'second');
    t.equal((await assign(app, 'exp', onlySecond!)).reason, 'holdout');
  },
);

t.test('holdout results: holdout (control) against treated users, conversions and k_factor', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'exp' });
  await startedExperiment(app, { key: 'other' });
  await holdout(app, 'h', 0.2, ['exp']);
  const arm = (id: string) =>
    bucketUser({ hashSeed: 'exp', userId: id, weights: [50, 50], trafficPercent: 100 }) === 1
      ? 'variant_a'
      : 'control';
  const held = ids(20, (id) => under('h', 0.2, id));
  const treated = ids(30, (id) => !under('h', 0.2, id) && arm(id) === 'variant_a');
  const control = ids(10, (id) => !under('h', 0.2, id) && arm(id) === 'control');
  for (const id of [...held, ...treated, ...control]) await assign(app, 'exp', id, true);
  // Converters: 4 of 20 held out, 12 of 30 treated; control users and other experiments do not count.
  const convert = (key: string, userId: string, payload: Record<string, unknown> = {}) =>
    post(app, `/v1/experiments/${key}/conversions`, { userId, ...payload });
  for (const id of held.slice(0, 4)) await convert('exp', id, { value: 10 });
  for (const id of treated.slice(0, 12)) await convert('exp', id, { value: 5 });
  for (const id of control) await convert('exp', id, { value: 100 });
  await assign(app, 'other', treated[20]!);
  await convert('other', treated[20]!, { value: 1000 });
  // Before the first assignment: not counted.
  await convert('exp', treated[25]!, { eventId: 'old', value: 7, occurredAt: '2026-01-01T00:00:00Z' });

  const res = await app.inject({ url: '/v1/holdouts/h/results?metric=conversion' });
  t.equal(res.statusCode, 200);
  const r = json<{
    variants: {
      variant: string;
      users: number;
      converted: number;
      zScore: number;
      pValue: number;
      ci: unknown;
      value: { sum: number; mean: number; meanDifference: number };
    }[];
  }>(res);
  t.match(r.variants[0], { variant: 'holdout', isControl: true, users: 20, converted: 4 });
  t.match(r.variants[1], { variant: 'treated', isControl: false, users: 30, converted: 12 });
  t.equal(r.variants[0]!.value.sum, 40);
  t.equal(r.variants[1]!.value.sum, 60);
  t.equal(r.variants[1]!.value.meanDifference, 0, 'both means are 2 (40 / 20 and 60 / 30)');
  // The same counts through the calculator (pinned to R elsewhere) give the same test.
  const calc = json<{ variants: { zScore: number; pValue: number; ci: unknown }[] }>(
    await post(app, '/v1/stats/proportions', {
      control: { n: 20, conversions: 4 },
      treatments: [{ n: 30, conversions: 12 }],
    }),
  );
  t.equal(r.variants[1]!.zScore, calc.variants[1]!.zScore);
  t.equal(r.variants[1]!.pValue, calc.variants[1]!.pValue);
  t.same(r.variants[1]!.ci, calc.variants[1]!.ci);

  // k_factor: signups from invites sent at or after the user's first assignment.
  const soon = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  let n = 0;
  const invite = async (referrerId: string, sentAt: string, signupAt?: string) => {
    const inviteId = `inv-${n++}`;
    await post(app, '/v1/invites', { inviteId, referrerId, source: 'cta', sentAt });
    if (signupAt)
      await post(app, `/v1/invites/${inviteId}/signups`, { userId: `f-${n}`, occurredAt: signupAt });
  };
  await invite(held[0]!, soon(1), soon(2));
  await invite(held[0]!, soon(1));
  await invite(treated[0]!, soon(1), soon(2));
  await invite(treated[1]!, soon(1), soon(2));
  await invite(treated[1]!, soon(1), soon(2));
  await invite(treated[2]!, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z');
  const k = json<{ variants: { users: number; invites: number; signups: number; kFactor: number }[] }>(
    await app.inject({ url: '/v1/holdouts/h/results?metric=k_factor' }),
  );
  t.match(k.variants[0], { users: 20, invites: 2, signups: 1, kFactor: 1 / 20, converted: 1 });
  t.match(k.variants[1], { users: 30, invites: 3, signups: 3, kFactor: 3 / 30, converted: 2 });

  const bad = await app.inject({ url: '/v1/holdouts/h/results?metric=ltv&horizonDays=0' });
  t.equal(bad.statusCode, 400);
  t.match(json(bad), { code: 'validation_failed', errors: [{ path: 'horizonDays' }] });
  t.equal((await app.inject({ url: '/v1/holdouts/none/results' })).statusCode, 404);
});

t.test('another instance releases held-out users within its 1 s definition cache after DELETE', async (t) => {
  const app = await build(t);
  const other = await buildApp({ config: configFrom(), db: await testDatabase(), migrate: false });
  t.teardown(() => other.close());
  await startedExperiment(app, { key: 'exp' });
  await holdout(app, 'h', 0.2);
  const [userId] = ids(1, (id) => under('h', 0.2, id));
  t.equal(
    (await assign(other, 'exp', userId!)).reason,
    'holdout',
    'cached as held out on the other instance',
  );
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/holdouts/h' })).statusCode, 204);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.equal((await assign(other, 'exp', userId!)).reason, 'new_assignment');
  t.equal((await assign(app, 'exp', userId!)).reason, 'existing_assignment');
});

t.test(
  'holdout results on activity and revenue: retention_d7 and ltv from the first assignment',
  async (t) => {
    const app = await build(t);
    await startedExperiment(app, { key: 'exp' });
    await holdout(app, 'h', 0.2, ['exp']);
    const arm = (id: string) =>
      bucketUser({ hashSeed: 'exp', userId: id, weights: [50, 50], trafficPercent: 100 }) === 1;
    const held = ids(4, (id) => under('h', 0.2, id));
    const treated = ids(6, (id) => !under('h', 0.2, id) && arm(id));
    const day = 24 * 3600_000;
    const now = Date.now();
    const signedUpAt = new Date(now - 30 * day).toISOString();
    for (const userId of [...held, ...treated]) {
      await post(app, '/v1/users', { userId, signedUpAt });
      await assign(app, 'exp', userId);
    }
    // Every user's first assignment 10 days ago, except one pending user per group (3 days ago).
    const t0 = now - 10 * day;
    const at = (days: number) => new Date(t0 + days * day).toISOString();
    await app.db.knex('assignments').update({ assigned_at: at(0) });
    await app.db
      .knex('assignments')
      .whereIn('user_id', [held[3]!, treated[5]!])
      .update({ assigned_at: new Date(now - 3 * day).toISOString() });
    const active = (userId: string, days: number) =>
      post(app, `/v1/users/${userId}/activity`, { occurredAt: at(days) });
    await active(held[0]!, 7.5);
    await active(held[1]!, 6); // before the day-7 window
    await active(treated[0]!, 7.1);
    await active(treated[1]!, 7.9);
    await active(treated[2]!, 8.2); // after it
    type Row = {
      users: number;
      converted: number;
      pending: number;
      value: { sum: number; variance: number };
    };
    const retention = json<{ variants: Row[] }>(
      await app.inject({ url: '/v1/holdouts/h/results?metric=retention_d7' }),
    );
    t.match(retention.variants[0], { variant: 'holdout', users: 3, converted: 1, pending: 1, value: null });
    t.match(retention.variants[1], { variant: 'treated', users: 5, converted: 2, pending: 1 });

    let n = 0;
    const pay = (userId: string, amount: number, days: number) =>
      post(app, `/v1/users/${userId}/revenue`, { eventId: `r-${n++}`, amount, occurredAt: at(days) });
    await pay(held[0]!, 10, 1);
    await pay(held[0]!, 99, 6); // beyond the 5-day horizon
    await pay(held[1]!, 4, 2);
    await pay(held[1]!, -4, 3); // refunded: net 0, not paying
    await pay(treated[0]!, 20, 1);
    await pay(treated[1]!, 30, 4);
    const ltv = json<{ variants: Row[] }>(
      await app.inject({ url: '/v1/holdouts/h/results?metric=ltv&horizonDays=5' }),
    );
    // Per eligible user: holdout [10, 0, 0] (mean 10/3, sample variance 100/3), treated [20, 30, 0, 0, 0]
    // (mean 10, sample variance 200).
    t.match(ltv.variants[0], { users: 3, converted: 1, pending: 1, value: { sum: 10 } });
    t.match(ltv.variants[1], { users: 5, converted: 2, pending: 1, value: { sum: 50, mean: 10 } });
    t.ok(Math.abs(ltv.variants[0]!.value.variance - 100 / 3) < 1e-9);
    t.ok(Math.abs(ltv.variants[1]!.value.variance - 200) < 1e-9);
  },
);

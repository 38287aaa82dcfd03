import t from 'tap';
import { build, json } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;
const post = (app: App, url: string, payload: object) => app.inject({ method: 'POST', url, payload });
const body = <T = Record<string, unknown>>(res: { body: string }) => json<T>(res);
const errorPath = (res: { body: string }) => body<{ errors: { path: string }[] }>(res).errors[0]!.path;

t.test('users, invites, clicks, signups, fvm: idempotency and every error code', async (t) => {
  const app = await build(t);
  const u = await post(app, '/v1/users', { userId: 'alice', signedUpAt: '2026-01-01T00:00:00Z' });
  t.equal(u.statusCode, 200);
  t.match(body(u), {
    userId: 'alice',
    signedUpAt: '2026-01-01T00:00:00.000Z',
    created: true,
    referredByInvite: null,
  });
  t.match(body(await post(app, '/v1/users', { userId: 'alice' })), {
    created: false,
    signedUpAt: '2026-01-01T00:00:00.000Z',
  });

  const inv = body(
    await post(app, '/v1/invites', { referrerId: 'alice', source: 'buddy', sentAt: '2026-01-02T00:00:00Z' }),
  );
  t.match(inv.inviteId, /^[0-9a-f-]{36}$/, 'generated id');
  const mine = { inviteId: 'inv-1', referrerId: 'alice', source: 'buddy', sentAt: '2026-01-02T00:00:00Z' };
  t.equal(body(await post(app, '/v1/invites', mine)).created, true);
  t.equal(body(await post(app, '/v1/invites', mine)).created, false, 'same id, same fields: idempotent');
  t.equal(body(await post(app, '/v1/invites', { ...mine, sentAt: undefined })).created, false);
  const conflict = await post(app, '/v1/invites', { ...mine, source: 'streak' });
  t.equal(conflict.statusCode, 409);
  t.equal(body(conflict).code, 'invite_conflict');

  const click = (payload: object) => post(app, '/v1/invites/inv-1/clicks', payload);
  t.match(body(await click({ clickId: 'c1', occurredAt: '2026-01-02T02:00:00Z' })), {
    clicks: 1,
    created: true,
  });
  t.match(body(await click({ clickId: 'c1', occurredAt: '2026-01-02T02:00:00Z' })), {
    clicks: 1,
    created: false,
  });
  t.match(body(await click({ occurredAt: '2026-01-02T01:00:00Z' })), {
    clicks: 2,
    firstClickedAt: '2026-01-02T01:00:00.000Z',
  });
  const early = await click({ occurredAt: '2026-01-01T00:00:00Z' });
  t.equal(early.statusCode, 400);
  t.equal(errorPath(early), 'occurredAt');
  t.equal(body(await post(app, '/v1/invites/none/clicks', {})).code, 'invite_not_found');

  const signup = (inviteId: string, payload: object) => post(app, `/v1/invites/${inviteId}/signups`, payload);
  const self = await signup('inv-1', { userId: 'alice' });
  t.equal(self.statusCode, 422);
  t.equal(body(self).code, 'self_referral');
  const exists = await signup('inv-1', { userId: 'alice2' });
  t.equal(exists.statusCode, 200);
  t.match(body(exists), { signupUserId: 'alice2', created: true });
  const replay = await signup('inv-1', { userId: 'alice2' });
  t.match(body(replay), { signupUserId: 'alice2', created: false }, 'a replay without a time is a no-op');
  const otherTime = await signup('inv-1', { userId: 'alice2', occurredAt: '2026-01-05T00:00:00Z' });
  t.equal(body(otherTime).code, 'already_converted', 'the same user at another time is not the same signup');
  const again = await signup('inv-1', { userId: 'zed' });
  t.equal(again.statusCode, 409);
  t.equal(body(again).code, 'already_converted');
  const other = body<{ inviteId: string }>(
    await post(app, '/v1/invites', { referrerId: 'bob', source: 'buddy' }),
  );
  const taken = await signup(other.inviteId, { userId: 'alice' });
  t.equal(taken.statusCode, 409);
  t.equal(body(taken).code, 'user_exists');
  t.equal(
    body(await app.inject({ method: 'POST', url: `/v1/invites/${other.inviteId}/clicks`, payload: {} }))
      .signupUserId,
    null,
    'the invite stays unconverted',
  );
  const beforeSent = await signup(other.inviteId, { userId: 'newbie', occurredAt: '2020-01-01T00:00:00Z' });
  t.equal(beforeSent.statusCode, 400);
  t.equal(errorPath(beforeSent), 'occurredAt');

  const fvm = (userId: string, payload: object) => post(app, `/v1/users/${userId}/fvm`, payload);
  const now = new Date().toISOString();
  t.match(body(await fvm('alice2', { occurredAt: now })), { fvmAt: now, created: true });
  t.match(body(await fvm('alice2', {})), { fvmAt: now, created: false }, 'the first one is kept');
  t.equal((await fvm('ghost', {})).statusCode, 404);

  const future = await post(app, '/v1/users', {
    userId: 'late',
    signedUpAt: new Date(Date.now() + 600_000).toISOString(),
  });
  t.equal(future.statusCode, 400);
  t.equal(errorPath(future), 'signedUpAt');
  const long = await post(app, '/v1/users', { userId: 'x'.repeat(257) });
  t.equal(errorPath(long), 'userId');
  t.equal(errorPath(await post(app, '/v1/invites', { referrerId: 'a', source: 'Bad Source' })), 'source');
});

t.test('batch: in order, partial rejection, duplicates, self-referrals recorded', async (t) => {
  const app = await build(t);
  const events = [
    { type: 'user_signed_up', userId: 'ref', occurredAt: '2026-01-01T00:00:00Z' },
    {
      type: 'invite_sent',
      inviteId: 'b1',
      referrerId: 'ref',
      source: 'buddy',
      occurredAt: '2026-01-02T00:00:00Z',
    },
    { type: 'invite_clicked', inviteId: 'b1', clickId: 'k1', occurredAt: '2026-01-02T00:10:00Z' },
    { type: 'invite_clicked', inviteId: 'b1', clickId: 'k1', occurredAt: '2026-01-02T00:10:00Z' },
    { type: 'invite_signed_up', inviteId: 'b1', userId: 'new1', occurredAt: '2026-01-02T01:00:00Z' },
    { type: 'fvm_reached', userId: 'new1', occurredAt: '2026-01-03T00:00:00Z' },
    { type: 'teleported', userId: 'x' },
    { type: 'invite_sent', inviteId: 'b2', referrerId: 'ref' },
    { type: 'invite_signed_up', inviteId: 'nope', userId: 'new2' },
    {
      type: 'invite_sent',
      inviteId: 'b3',
      referrerId: 'ref',
      source: 'buddy',
      occurredAt: '2026-01-02T00:00:00Z',
    },
    { type: 'invite_signed_up', inviteId: 'b3', userId: 'ref', occurredAt: '2026-01-02T02:00:00Z' },
    { type: 'user_signed_up', userId: 'ref' },
    { type: 'fvm_reached', userId: 'new1', occurredAt: '2099-01-01T00:00:00Z' },
  ];
  const res = await post(app, '/v1/events', { events });
  t.equal(res.statusCode, 200);
  const r = body<{
    accepted: number;
    duplicates: number;
    rejected: { index: number; code: string; detail: string }[];
  }>(res);
  t.equal(r.accepted, 6, 'events 0, 1, 2, 4, 5 and 9');
  t.equal(r.duplicates, 2, 'the repeated click and the repeated signup of ref');
  t.same(
    r.rejected.map((x) => [x.index, x.code]),
    [
      [6, 'validation_failed'],
      [7, 'validation_failed'],
      [8, 'invite_not_found'],
      [10, 'self_referral'],
      [12, 'validation_failed'],
    ],
  );
  t.match(r.rejected[1]!.detail, /source/);
  t.match(r.rejected[4]!.detail, /occurredAt/);
  const replay = body<{ accepted: number; duplicates: number }>(
    await post(app, '/v1/events', { events: events.slice(0, 6) }),
  );
  t.same([replay.accepted, replay.duplicates], [0, 6], 'a replay stores nothing new');
  const fraud = body<{ signals: unknown[] }>(await app.inject({ url: '/v1/metrics/fraud' }));
  t.same(fraud.signals, [{ type: 'self_referral', referrerId: 'ref', count: 1 }]);

  const tooMany = await post(app, '/v1/events', {
    events: Array.from({ length: 5001 }, () => ({ type: 'user_signed_up', userId: 'u' })),
  });
  t.equal(tooMany.statusCode, 400);
  t.equal(errorPath(tooMany), 'events');
  const huge = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      events: [{ type: 'user_signed_up', userId: 'u', pad: 'x'.repeat(9 * 1024 * 1024) }],
    }),
  });
  t.equal(huge.statusCode, 413);
  t.equal(errorPath(huge), 'events');
});

t.test('batch experiment events follow the experiment rules', async (t) => {
  const app = await build(t);
  await post(app, '/v1/experiments', { key: 'bx', variants: [{ key: 'control' }, { key: 'b' }] });
  await app.inject({ method: 'POST', url: '/v1/experiments/bx/start' });
  const r = body<{ accepted: number; duplicates: number; rejected: { index: number; code: string }[] }>(
    await post(app, '/v1/events', {
      events: [
        { type: 'experiment_conversion', experimentKey: 'bx', userId: 'p' },
        { type: 'experiment_exposure', experimentKey: 'bx', userId: 'p' },
        { type: 'experiment_exposure', experimentKey: 'bx', userId: 'p' },
        { type: 'experiment_conversion', experimentKey: 'bx', userId: 'p', value: 3 },
        { type: 'experiment_exposure', experimentKey: 'zz', userId: 'p' },
      ],
    }),
  );
  t.same([r.accepted, r.duplicates], [2, 1]);
  t.same(
    r.rejected.map((x) => [x.index, x.code]),
    [
      [0, 'not_assigned'],
      [4, 'experiment_not_found'],
    ],
  );
});

t.test('a batch of exposures ends where the same exposures sent one by one end', async (t) => {
  // Two experiments bucketing alike (one hash seed) under one holdout: one gets the batch, the other the single
  // endpoint, event by event. New users, users named twice (later and earlier), users assigned before, wrong
  // variant claims, exposures before the start, held-out and traffic-excluded users must all end the same.
  const app = await build(t);
  const start = '2026-03-01T00:00:00.000Z';
  for (const key of ['batch', 'single']) {
    await post(app, '/v1/experiments', {
      key,
      hashSeed: 'same',
      trafficPercent: 80,
      variants: [{ key: 'control' }, { key: 'b' }],
    });
    await post(app, `/v1/experiments/${key}/start`, { startedAt: start });
  }
  await post(app, '/v1/holdouts', { key: 'h', percent: 0.2, experiments: 'all' });
  let seed = 7;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
  for (const userId of users.slice(0, 6)) {
    for (const key of ['batch', 'single']) await post(app, `/v1/experiments/${key}/assignments`, { userId });
  }
  const events = Array.from({ length: 70 }, () => {
    const day = Math.floor(rand() * 12) - 2; // some before the start
    const e: Record<string, string> = {
      userId: users[Math.floor(rand() * users.length)]!,
      occurredAt: new Date(
        Date.parse(start) + day * 86_400_000 + Math.floor(rand() * 3_600_000),
      ).toISOString(),
    };
    const claim = rand();
    if (claim < 0.2) e.variant = claim < 0.1 ? 'control' : 'b';
    return e;
  });
  const batch = json<{ rejected: { index: number; code: string }[] }>(
    await post(app, '/v1/events', {
      events: events.map((e) => ({ type: 'experiment_exposure', experimentKey: 'batch', ...e })),
    }),
  );
  const singleRejected: { index: number; code: string }[] = [];
  for (const [index, e] of events.entries()) {
    const res = await post(app, '/v1/experiments/single/exposures', e);
    if (res.statusCode !== 200) singleRejected.push({ index, code: json<{ code: string }>(res).code });
  }
  t.same(
    batch.rejected.map((r) => [r.index, r.code]),
    singleRejected.map((r) => [r.index, r.code]),
    'the same events refused, for the same reasons',
  );
  t.ok(
    singleRejected.some((r) => r.code === 'variant_mismatch'),
    'the stream holds a wrong claim',
  );
  t.ok(
    singleRejected.some((r) => r.code === 'validation_failed'),
    'and an exposure before the start',
  );
  const { rows } = (await app.db.knex.raw(
    `SELECT e.key, a.user_id, a.variant, a.exposed_at, a.holdout_id
       FROM assignments a JOIN experiments e ON e.id = a.experiment_id ORDER BY a.user_id, e.key`,
  )) as {
    rows: { key: string; user_id: string; variant: string; exposed_at: Date | null; holdout_id: number }[];
  };
  const of = (key: string) =>
    rows
      .filter((r) => r.key === key)
      .map((r) => [r.user_id, r.variant, r.exposed_at?.toISOString() ?? null, r.holdout_id]);
  t.ok(of('single').length > 20);
  t.ok(
    of('single').some((r) => r[3] !== null),
    'someone is held out',
  );
  t.same(of('batch'), of('single'), 'the same assignments and first exposures');
  const counts = async (key: string) =>
    json<{ variants: { variant: string; exposed: number }[] }>(
      await app.inject({ url: `/v1/experiments/${key}/results` }),
    ).variants.map((v) => [v.variant, v.exposed]);
  t.same(await counts('batch'), await counts('single'), 'the same exposed users in results');
});

t.test('concurrent signups on one invite: exactly one wins', async (t) => {
  const app = await build(t);
  await post(app, '/v1/invites', { inviteId: 'hot', referrerId: 'r', source: 'buddy' });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => post(app, '/v1/invites/hot/signups', { userId: `racer-${i}` })),
  );
  t.equal(results.filter((r) => r.statusCode === 200).length, 1);
  t.equal(results.filter((r) => r.statusCode === 409).length, 19);
  const { rows } = (await app.db.knex.raw(
    `SELECT count(*)::int AS n FROM users WHERE user_id LIKE 'racer-%'`,
  )) as {
    rows: { n: number }[];
  };
  t.equal(rows[0]!.n, 1, 'no orphan users');
});

t.test('an invite id repeated inside one batch: same fields duplicate, other fields conflict', async (t) => {
  const app = await build(t);
  const sent = {
    type: 'invite_sent',
    inviteId: 'twice',
    referrerId: 'r',
    source: 'buddy',
    occurredAt: '2026-01-10T00:00:00Z',
  };
  const r = body<{ accepted: number; duplicates: number; rejected: { index: number; code: string }[] }>(
    await post(app, '/v1/events', { events: [sent, sent, { ...sent, source: 'gift' }] }),
  );
  t.same([r.accepted, r.duplicates], [1, 1]);
  t.same(
    r.rejected.map((x) => [x.index, x.code]),
    [[2, 'invite_conflict']],
  );
});

t.test(
  'batch: events that are not objects, unknown keys and missing fields name the field once',
  async (t) => {
    const app = await build(t);
    const r = body<{ accepted: number; rejected: { index: number; code: string; detail: string }[] }>(
      await post(app, '/v1/events', {
        events: [
          5,
          null,
          { type: 'user_signed_up', userId: 'a', extra: 1 },
          { type: 'invite_sent', inviteId: 'i1', referrerId: 'a' },
          { userId: 'c' },
          { type: 'user_signed_up', userId: 'ok' },
        ],
      }),
    );
    t.equal(r.accepted, 1);
    t.same(
      r.rejected.map((x) => [x.index, x.code, x.detail.split(':')[0]]),
      [
        [0, 'validation_failed', 'event'],
        [1, 'validation_failed', 'event'],
        [2, 'validation_failed', 'extra'],
        [3, 'validation_failed', 'source'],
        [4, 'validation_failed', 'type'],
      ],
    );
    t.notMatch(r.rejected[3]!.detail, /^source: source:/, 'the field is named once');
  },
);

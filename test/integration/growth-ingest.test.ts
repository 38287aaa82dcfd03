import t from 'tap';
import { build, json } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;
const post = (app: App, url: string, payload: object) => app.inject({ method: 'POST', url, payload });
const body = <T = Record<string, unknown>>(res: { body: string }) => json<T>(res);
const problem = (res: { statusCode: number; body: string }) => {
  const b = body<{ code: string; errors?: { path: string }[] }>(res);
  return { status: res.statusCode, code: b.code, path: b.errors?.[0]?.path };
};
const future = () => new Date(Date.now() + 3_600_000).toISOString();

t.test(
  'activity: stored per (user, time), replays, unknown users, times before signup or in the future',
  async (t) => {
    const app = await build(t);
    await post(app, '/v1/users', { userId: 'ann', signedUpAt: '2026-03-01T10:00:00Z' });
    const act = (payload: object, user = 'ann') => post(app, `/v1/users/${user}/activity`, payload);
    const first = await act({ occurredAt: '2026-03-02T10:00:00Z' });
    t.equal(first.statusCode, 200);
    t.same(body(first), { userId: 'ann', occurredAt: '2026-03-02T10:00:00.000Z', created: true });
    t.equal(
      body(await act({ occurredAt: '2026-03-02T11:00:00+01:00' })).created,
      false,
      'same instant: duplicate',
    );
    t.equal(body(await act({ occurredAt: '2026-03-01T10:00:00Z' })).created, true, 'at the signup instant');
    t.same(problem(await act({ occurredAt: '2026-03-01T09:59:59Z' })), {
      status: 400,
      code: 'validation_failed',
      path: 'occurredAt',
    });
    t.same(problem(await act({ occurredAt: future() })), {
      status: 400,
      code: 'validation_failed',
      path: 'occurredAt',
    });
    t.same(problem(await act({}, 'nobody')), { status: 404, code: 'user_not_found', path: 'userId' });
    t.equal(body(await act({})).created, true, 'stamped on receipt');
    const { rows } = (await app.db.knex.raw('SELECT count(*)::int AS n FROM user_activity')) as {
      rows: { n: number }[];
    };
    t.equal(rows[0]!.n, 3);
  },
);

t.test('revenue: numeric amounts, refunds, currency, duplicates and event_conflict', async (t) => {
  const app = await build(t);
  await post(app, '/v1/users', { userId: 'ann', signedUpAt: '2026-03-01T10:00:00Z' });
  const pay = (payload: object, user = 'ann') => post(app, `/v1/users/${user}/revenue`, payload);
  const e1 = { eventId: 'e1', amount: 0.1, occurredAt: '2026-03-02T00:00:00Z' };
  const r = await pay(e1);
  t.equal(r.statusCode, 200);
  t.same(body(r), {
    ...e1,
    userId: 'ann',
    currency: 'USD',
    occurredAt: '2026-03-02T00:00:00.000Z',
    created: true,
  });
  t.equal(body(await pay(e1)).created, false, 'identical replay');
  t.match(body(await pay({ eventId: 'e1', amount: 0.1, currency: 'USD' })), {
    created: false,
    occurredAt: '2026-03-02T00:00:00.000Z',
  });
  t.same(problem(await pay({ ...e1, amount: 0.2 })), {
    status: 409,
    code: 'event_conflict',
    path: 'eventId',
  });
  t.same(problem(await pay({ ...e1, occurredAt: '2026-03-03T00:00:00Z' })).code, 'event_conflict');
  await post(app, '/v1/users', { userId: 'bob', signedUpAt: '2026-03-01T10:00:00Z' });
  t.same(problem(await pay(e1, 'bob')).code, 'event_conflict', 'another user');
  t.equal(body(await pay({ eventId: 'e2', amount: 0.2, occurredAt: '2026-03-02T00:00:00Z' })).created, true);
  t.match(body(await pay({ eventId: 'refund', amount: -0.3, occurredAt: '2026-03-04T00:00:00Z' })), {
    amount: -0.3,
    created: true,
  });
  const { rows } = (await app.db.knex.raw(
    `SELECT sum(amount)::text AS total, pg_typeof(amount)::text AS type FROM revenue_events GROUP BY 2`,
  )) as { rows: { total: string; type: string }[] };
  t.same(rows, [{ total: '0.0', type: 'numeric' }], 'numeric: 0.1 + 0.2 − 0.3 is exactly 0');

  t.same(problem(await pay({ eventId: 'e3', amount: 1, currency: 'EUR' })), {
    status: 400,
    code: 'validation_failed',
    path: 'currency',
  });
  t.same(problem(await pay({ eventId: 'e3', amount: '1' })).path, 'amount');
  t.same(problem(await pay({ amount: 1 })).path, 'eventId');
  t.same(problem(await pay({ eventId: 'e3', amount: 1 }, 'nobody')).code, 'user_not_found');
  t.same(
    problem(await pay({ eventId: 'e3', amount: 1, occurredAt: '2026-02-01T00:00:00Z' })).path,
    'occurredAt',
  );
  t.same(problem(await pay({ eventId: 'e3', amount: 1, occurredAt: future() })).path, 'occurredAt');
});

t.test('REVENUE_CURRENCY sets the one accepted currency', async (t) => {
  const app = await build(t, { REVENUE_CURRENCY: 'EUR' });
  await post(app, '/v1/users', { userId: 'ann' });
  t.equal(body(await post(app, '/v1/users/ann/revenue', { eventId: 'e', amount: 5 })).currency, 'EUR');
  t.equal(
    (await post(app, '/v1/users/ann/revenue', { eventId: 'f', amount: 5, currency: 'USD' })).statusCode,
    400,
  );
});

t.test(
  'country (assigned ISO 3166-1 alpha-2 codes only) and visitorId on users, clicks and signups',
  async (t) => {
    const app = await build(t);
    t.match(
      body(
        await post(app, '/v1/users', { userId: 'ann', country: 'DE', signedUpAt: '2026-03-01T00:00:00Z' }),
      ),
      {
        country: 'DE',
      },
    );
    t.equal(body(await post(app, '/v1/users', { userId: 'raw' })).country, null);
    for (const bad of ['de', 'XK', 'ZZ', 'EU', 'UK', 'DEU', '']) {
      t.same(
        problem(await post(app, '/v1/users', { userId: `u-${bad}`, country: bad })).path,
        'country',
        bad,
      );
    }
    await post(app, '/v1/invites', {
      inviteId: 'i1',
      referrerId: 'ann',
      source: 'gift',
      sentAt: '2026-03-02T00:00:00Z',
    });
    t.equal(
      (await post(app, '/v1/invites/i1/clicks', { visitorId: 'v1', occurredAt: '2026-03-02T01:00:00Z' }))
        .statusCode,
      200,
    );
    t.same(problem(await post(app, '/v1/invites/i1/clicks', { visitorId: '' })).path, 'visitorId');
    t.same(
      problem(await post(app, '/v1/invites/i1/signups', { userId: 'bob', country: 'fr' })).path,
      'country',
    );
    const s = await post(app, '/v1/invites/i1/signups', {
      userId: 'bob',
      country: 'FR',
      visitorId: 'v1',
      occurredAt: '2026-03-02T02:00:00Z',
    });
    t.equal(s.statusCode, 200);
    const { rows } = (await app.db.knex.raw(
      `SELECT u.user_id, u.country, u.visitor_id, c.visitor_id AS click_visitor
       FROM users u LEFT JOIN invite_clicks c ON c.invite_id = u.referred_by_invite ORDER BY u.user_id`,
    )) as { rows: Record<string, string | null>[] };
    t.same(rows, [
      { user_id: 'ann', country: 'DE', visitor_id: null, click_visitor: null },
      { user_id: 'bob', country: 'FR', visitor_id: 'v1', click_visitor: 'v1' },
      { user_id: 'raw', country: null, visitor_id: null, click_visitor: null },
    ]);
  },
);

t.test(
  'POST /v1/events: user_active and revenue set-based, with country and visitorId on the other types',
  async (t) => {
    const app = await build(t);
    const at = '2026-03-01T00:00:00Z';
    const res = await post(app, '/v1/events', {
      events: [
        { type: 'user_signed_up', userId: 'ann', country: 'US', occurredAt: at },
        { type: 'user_signed_up', userId: 'bad', country: 'us', occurredAt: at },
        { type: 'invite_sent', inviteId: 'i1', referrerId: 'ann', source: 'gift', occurredAt: at },
        { type: 'invite_clicked', inviteId: 'i1', visitorId: 'v9', occurredAt: '2026-03-01T01:00:00Z' },
        {
          type: 'invite_signed_up',
          inviteId: 'i1',
          userId: 'bob',
          country: 'CA',
          visitorId: 'v9',
          occurredAt: '2026-03-01T02:00:00Z',
        },
        { type: 'user_active', userId: 'ann', occurredAt: '2026-03-02T00:00:00Z' },
        { type: 'user_active', userId: 'ann', occurredAt: '2026-03-02T00:00:00Z' },
        { type: 'user_active', userId: 'ghost', occurredAt: '2026-03-02T00:00:00Z' },
        { type: 'user_active', userId: 'bob', occurredAt: '2026-03-01T00:00:00Z' },
        { type: 'revenue', userId: 'bob', eventId: 'p1', amount: 9.99, occurredAt: '2026-03-03T00:00:00Z' },
        { type: 'revenue', userId: 'bob', eventId: 'p1', amount: 9.99 },
        { type: 'revenue', userId: 'bob', eventId: 'p1', amount: 19.99 },
        {
          type: 'revenue',
          userId: 'ann',
          eventId: 'p2',
          amount: -5,
          currency: 'USD',
          occurredAt: '2026-03-03T00:00:00Z',
        },
        { type: 'revenue', userId: 'ann', eventId: 'p3', amount: 5, currency: 'GBP' },
        { type: 'revenue', userId: 'ghost', eventId: 'p4', amount: 5 },
        { type: 'revenue', userId: 'ann', eventId: 'p5' },
      ],
    });
    t.equal(res.statusCode, 200);
    const r = body<{
      accepted: number;
      duplicates: number;
      rejected: { index: number; code: string; detail: string }[];
    }>(res);
    t.equal(r.accepted, 7);
    t.equal(r.duplicates, 2);
    t.same(
      r.rejected.map((x) => [x.index, x.code, x.detail.split(':')[0]]),
      [
        [1, 'validation_failed', 'country'],
        [7, 'user_not_found', 'userId'],
        [8, 'validation_failed', 'occurredAt'],
        [11, 'event_conflict', 'eventId'],
        [13, 'validation_failed', 'currency'],
        [14, 'user_not_found', 'userId'],
        [15, 'validation_failed', 'amount'],
      ],
    );
    const { rows } = (await app.db.knex.raw(
      `SELECT (SELECT count(*)::int FROM user_activity) AS activity,
            (SELECT sum(amount)::float8 FROM revenue_events) AS revenue,
            (SELECT visitor_id FROM users WHERE user_id = 'bob') AS visitor,
            (SELECT string_agg(country, ',' ORDER BY user_id) FROM users) AS countries`,
    )) as { rows: Record<string, unknown>[] };
    t.same(rows[0], { activity: 1, revenue: 4.99, visitor: 'v9', countries: 'US,CA' });
  },
);

t.test('activity periods: concurrent batches of the same users merge to their activity', async (t) => {
  const app = await build(t);
  const DAY_MS = 86_400_000;
  const signedUp = (u: number) => Date.parse('2026-01-01T00:00:00Z') + u * 3_600_000 + u * 17_000;
  const users = Array.from({ length: 8 }, (_, u) => u);
  const r = await post(app, '/v1/events', {
    events: users.map((u) => ({
      type: 'user_signed_up',
      userId: `p${u}`,
      occurredAt: new Date(signedUp(u)).toISOString(),
    })),
  });
  t.equal(body<{ accepted: number }>(r).accepted, users.length);
  // 12 batches of 30 events over the same 8 users, days 0–299 after the signup (past both bit words), with repeats.
  let seed = 20261206;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const drawn = Array.from({ length: 12 }, () =>
    Array.from({ length: 30 }, () => {
      const u = Math.floor(next() * users.length);
      const at = signedUp(u) + Math.floor(next() * 300) * DAY_MS + Math.floor(next() * 4) * 21_600_000;
      return { type: 'user_active', userId: `p${u}`, occurredAt: new Date(at).toISOString() };
    }),
  );
  // Each batch also goes in reversed, at the same time: the same keys in opposite orders.
  const batches = drawn.flatMap((events) => [events, [...events].reverse()]);
  const answers = await Promise.all(batches.map((events) => post(app, '/v1/events', { events })));
  t.ok(
    answers.every((a) => a.statusCode === 200),
    'every batch stored',
  );
  const want = new Map<string, { lo: bigint; hi: bigint; weeks: bigint; lastDay: number }>();
  for (const e of batches.flat()) {
    const u = Number(e.userId.slice(1));
    const d = Math.floor((Date.parse(e.occurredAt) - signedUp(u)) / DAY_MS);
    const w = want.get(e.userId) ?? { lo: 0n, hi: 0n, weeks: 0n, lastDay: -1 };
    if (d < 63) w.lo |= 1n << BigInt(d);
    else if (d < 126) w.hi |= 1n << BigInt(d - 63);
    if (Math.floor(d / 7) < 63) w.weeks |= 1n << BigInt(Math.floor(d / 7));
    w.lastDay = Math.max(w.lastDay, d);
    want.set(e.userId, w);
  }
  const { rows } = (await app.db.knex.raw(
    `SELECT user_id, days_lo::text AS lo, days_hi::text AS hi, weeks::text AS weeks, last_day, last_week
       FROM activity_periods ORDER BY user_id`,
  )) as {
    rows: { user_id: string; lo: string; hi: string; weeks: string; last_day: number; last_week: number }[];
  };
  t.same(
    rows.map((r) => [r.user_id, BigInt(r.lo), BigInt(r.hi), BigInt(r.weeks), r.last_day, r.last_week]),
    [...want.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, w]) => [id, w.lo, w.hi, w.weeks, w.lastDay, Math.floor(w.lastDay / 7)]),
    'one row per user: the days and weeks with activity and the latest of each',
  );
  // Revenue: batches sharing event ids, in opposite orders, stored once each.
  const revenue = Array.from({ length: 40 }, (_, k) => ({
    type: 'revenue',
    userId: `p${k % users.length}`,
    eventId: `e${k}`,
    amount: k + 0.5,
    occurredAt: new Date(signedUp(k % users.length) + k * DAY_MS).toISOString(),
  }));
  const paid = await Promise.all(
    Array.from({ length: 12 }, (_, b) => {
      const part = revenue.filter((_, k) => (k + b) % 3 !== 0);
      return post(app, '/v1/events', { events: b % 2 ? part.reverse() : part });
    }),
  );
  t.ok(
    paid.every((a) => a.statusCode === 200 && body<{ rejected: unknown[] }>(a).rejected.length === 0),
    'every revenue batch stored, replays as duplicates',
  );
  const stored = (await app.db.knex.raw(
    `SELECT count(*)::int AS n, sum(amount)::float8 AS total, count(*) FILTER (
       WHERE user_signed_up_at = u.signed_up_at AND user_source = 'organic')::int AS copied
       FROM revenue_events r JOIN users u USING (user_id)`,
  )) as { rows: { n: number; total: number; copied: number }[] };
  t.same(
    stored.rows[0],
    { n: 40, total: revenue.reduce((a, e) => a + e.amount, 0), copied: 40 },
    'each event once, with its user’s signup time and source',
  );
});

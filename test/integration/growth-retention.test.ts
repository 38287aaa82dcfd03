import t from 'tap';
import { build, json } from '../helper.js';

// Retention and LTV pinned on hand-worked data (SPEC §8.2, §8.3).

type App = Awaited<ReturnType<typeof build>>;
type Period = { period: number; eligible: number; retained: number; rate: number | null };
type Retention = {
  complete: boolean;
  cohorts: { cohortStart: string; size: number; periods: Period[] }[];
  overall: Period[];
};

const events = (app: App, list: object[]) =>
  app.inject({ method: 'POST', url: '/v1/events', payload: { events: list } });
const get = async <T>(app: App, url: string) => {
  const res = await app.inject({ url });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
  return json<T>(res);
};
const active = (userId: string, occurredAt: string) => ({ type: 'user_active', userId, occurredAt });
/** [eligible, retained] per period, for compact expectations. */
const pairs = (ps: Period[]) => ps.map((p) => [p.eligible, p.retained]);

t.test('23:59 / 00:01: periods are 24 h from the signup instant, not calendar days', async (t) => {
  const app = await build(t);
  const r = await events(app, [
    { type: 'user_signed_up', userId: 'a', occurredAt: '2026-01-05T23:59:00Z' },
    { type: 'user_signed_up', userId: 'b', occurredAt: '2026-01-06T00:01:00Z' },
    active('a', '2026-01-06T00:01:00Z'), // a: period 0, although the next calendar day
    active('a', '2026-01-07T00:00:00Z'), // a: period 1 = [01-06 23:59, 01-07 23:59)
    active('b', '2026-01-06T23:59:00Z'), // b: period 0
    active('b', '2026-01-07T00:00:59Z'), // b: still period 0 (period 1 starts 00:01)
    active('b', '2026-01-07T00:01:00Z'), // b: period 1, its first instant
    active('b', '2026-01-09T00:00:59Z'), // b: period 2 = [01-08 00:01, 01-09 00:01)
  ]);
  t.equal(json<{ accepted: number }>(r).accepted, 8);
  const q = 'from=2026-01-05T00:00:00Z&to=2026-01-07T00:00:00Z&granularity=day&periods=4';
  const on = await get<Retention>(app, `/v1/metrics/retention?${q}`);
  t.same(
    on.cohorts.map((c) => [c.cohortStart, c.size, pairs(c.periods)]),
    [
      [
        '2026-01-05T00:00:00.000Z',
        1,
        [
          [1, 1],
          [1, 1],
          [1, 0],
          [1, 0],
        ],
      ],
      [
        '2026-01-06T00:00:00.000Z',
        1,
        [
          [1, 1],
          [1, 1],
          [1, 1],
          [1, 0],
        ],
      ],
    ],
  );
  t.same(pairs(on.overall), [
    [2, 2],
    [2, 2],
    [2, 1],
    [2, 0],
  ]);
  t.same(
    on.overall.map((p) => p.rate),
    [1, 1, 0.5, 0],
  );
  t.equal(on.complete, true);
  const after = await get<Retention>(app, `/v1/metrics/retention?${q}&mode=on_or_after`);
  t.same(
    pairs(after.overall),
    [
      [2, 2],
      [2, 2],
      [2, 1],
      [2, 0],
    ],
    'a last active in period 1, b in period 2',
  );
  const ny = await get<Retention>(app, `/v1/metrics/retention?${q}&tz=America/New_York`);
  t.same(
    ny.cohorts.map((c) => [c.cohortStart, c.size]),
    [['2026-01-05T05:00:00.000Z', 2]],
    'both signed up on 2026-01-05 in New York',
  );
  const csv = await app.inject({ url: `/v1/metrics/retention?${q}&format=csv` });
  const lines = csv.body.trim().split('\r\n');
  t.equal(
    lines[0],
    'from,to,tz,conversionWindowDays,complete,granularity,mode,source,cohortStart,size,period,eligible,retained,rate',
  );
  t.equal(lines.length, 1 + 2 * 4, 'one row per cohort × period');
  t.equal(
    lines[3],
    '2026-01-05T00:00:00.000Z,2026-01-07T00:00:00.000Z,UTC,14,true,day,on,,2026-01-05T00:00:00.000Z,1,2,1,0,0',
  );
});

t.test('a daylight-saving week in Europe/Berlin, and the source filter', async (t) => {
  const app = await build(t);
  await events(app, [
    // Sunday 2026-03-29 23:30 CEST: the ISO week that began Monday 2026-03-23 00:00 CET (22:00 or 23:00 UTC).
    { type: 'user_signed_up', userId: 'd', occurredAt: '2026-03-29T21:30:00Z' },
    {
      type: 'invite_sent',
      inviteId: 'i1',
      referrerId: 'd',
      source: 'gift',
      occurredAt: '2026-03-29T21:40:00Z',
    },
    // Monday 2026-03-30 00:30 CEST: the next week, which began at 2026-03-29T22:00Z.
    { type: 'invite_signed_up', inviteId: 'i1', userId: 'c', occurredAt: '2026-03-29T22:30:00Z' },
    active('d', '2026-04-05T21:29:59Z'), // d: one second before its period 1 (7 × 24 h, no DST hour)
    active('c', '2026-04-05T22:30:00Z'), // c: exactly s + 7 × 24 h: period 1
  ]);
  const q = 'from=2026-03-20T00:00:00Z&to=2026-04-01T00:00:00Z&tz=Europe/Berlin&periods=2';
  const all = await get<Retention>(app, `/v1/metrics/retention?${q}`);
  t.same(
    all.cohorts.map((c) => [c.cohortStart, c.size, pairs(c.periods)]),
    [
      [
        '2026-03-22T23:00:00.000Z',
        1,
        [
          [1, 1],
          [1, 0],
        ],
      ],
      [
        '2026-03-29T22:00:00.000Z',
        1,
        [
          [1, 1],
          [1, 1],
        ],
      ],
    ],
  );
  const gift = await get<Retention & { source: string }>(app, `/v1/metrics/retention?${q}&source=gift`);
  t.equal(gift.source, 'gift');
  t.same(
    gift.cohorts.map((c) => c.cohortStart),
    ['2026-03-29T22:00:00.000Z'],
  );
  const organic = await get<Retention>(app, `/v1/metrics/retention?${q}&source=organic`);
  t.same(
    organic.cohorts.map((c) => c.cohortStart),
    ['2026-03-22T23:00:00.000Z'],
  );
  const none = await get<Retention>(app, `/v1/metrics/retention?${q}&source=streak`);
  t.same(none.cohorts, []);
  t.same(
    none.overall.map((p) => p.rate),
    [null, null],
    'nobody eligible: null, not 0',
  );
  const csv = await app.inject({
    url: `/v1/metrics/retention?${q}&source=streak`,
    headers: { accept: 'text/csv' },
  });
  t.match(csv.body, /^from,to,tz,.*,rate\r\n$/, 'an empty answer keeps its header');
});

t.test('a cohort not yet eligible: retained counts eligible users only, rate null', async (t) => {
  const app = await build(t);
  const now = Date.now();
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
  await events(app, [
    { type: 'user_signed_up', userId: 'new', occurredAt: at(36) },
    active('new', at(2)), // in period 1, which has not ended yet
  ]);
  const r = await get<Retention>(app, '/v1/metrics/retention?days=3&granularity=day&periods=3');
  t.same(pairs(r.cohorts[0]!.periods), [
    [1, 1],
    [0, 0],
    [0, 0],
  ]);
  t.same(
    r.cohorts[0]!.periods.map((p) => p.rate),
    [1, null, null],
  );
  t.equal(r.complete, false);
  const bad = await app.inject({ url: '/v1/metrics/retention?granularity=week&periods=53' });
  t.equal(bad.statusCode, 400);
  t.equal(json<{ errors: { path: string }[] }>(bad).errors[0]!.path, 'periods');
  t.equal((await app.inject({ url: '/v1/metrics/retention?granularity=day&periods=90' })).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/metrics/retention?mode=sometimes' })).statusCode, 400);
});

t.test('day periods past 62 and week bits: activity arriving out of order, both modes', async (t) => {
  const app = await build(t);
  const day = (d: number, hours: number) =>
    new Date(Date.parse('2026-01-01T00:00:00Z') + d * 86_400_000 + hours * 3_600_000);
  const r = await events(app, [
    { type: 'user_signed_up', userId: 'x', occurredAt: '2026-01-01T00:00:00Z' },
    { type: 'user_signed_up', userId: 'y', occurredAt: '2026-01-01T12:00:00Z' },
    // x: days 89, 63, 62 and then 5 (a late event earlier than the stored ones); y: day 70 only.
    active('x', day(89, 1).toISOString()),
    active('x', day(63, 1).toISOString()),
    active('x', day(62, 23).toISOString()),
    active('x', day(5, 0).toISOString()),
    active('y', day(70, 12.5).toISOString()),
  ]);
  t.equal(json<{ accepted: number }>(r).accepted, 7);
  await events(app, [active('x', day(63, 1).toISOString())]); // a replay changes nothing
  const q = 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z';
  const retained = async (query: string) => {
    const res = await get<Retention>(app, `/v1/metrics/retention?${q}&${query}`);
    t.equal(res.cohorts.length, 1, query);
    t.ok(
      res.cohorts[0]!.periods.every((p) => p.eligible === 2),
      `${query}: both members are eligible at every period`,
    );
    return res.cohorts[0]!.periods.map((p) => p.retained);
  };
  const only = (n: number, hits: Record<number, number>) =>
    Array.from({ length: n }, (_, k) => (k === 0 ? 2 : (hits[k] ?? 0)));
  t.same(
    await retained('granularity=day&periods=90'),
    only(90, { 5: 1, 62: 1, 63: 1, 70: 1, 89: 1 }),
    'day, on',
  );
  t.same(
    await retained('granularity=day&periods=90&mode=on_or_after'),
    Array.from({ length: 90 }, (_, k) => (k === 0 || k <= 70 ? 2 : 1)),
    'day, on_or_after: x last active on day 89, y on day 70',
  );
  // Weeks: x in weeks 0, 8 (day 62), 9 (day 63) and 12 (day 89); y in week 10.
  t.same(await retained('granularity=week&periods=14'), only(14, { 8: 1, 9: 1, 10: 1, 12: 1 }), 'week, on');
  t.same(
    await retained('granularity=week&periods=14&mode=on_or_after'),
    Array.from({ length: 14 }, (_, k) => (k === 0 || k <= 10 ? 2 : k <= 12 ? 1 : 0)),
    'week, on_or_after',
  );
  t.same(
    await retained('granularity=day&periods=90&source=organic'),
    only(90, { 5: 1, 62: 1, 63: 1, 70: 1, 89: 1 }),
    'the source filter keeps organic users',
  );
  // z: days 300 and then 200, both past the day bits: the late one adds week 28 only.
  await events(app, [
    { type: 'user_signed_up', userId: 'z', occurredAt: '2026-01-03T00:00:00Z' },
    active('z', day(302, 0).toISOString()),
  ]);
  await events(app, [active('z', day(202, 0).toISOString())]);
  const z = await get<Retention>(
    app,
    '/v1/metrics/retention?from=2026-01-03T00:00:00Z&to=2026-01-04T00:00:00Z&granularity=week&periods=40',
  );
  t.same(
    z.cohorts[0]!.periods.map((p) => p.retained),
    Array.from({ length: 40 }, (_, k) => (k === 0 || k === 28 ? 1 : 0)),
    'a late activity in an earlier week counts in its week',
  );
});

t.test('a time zone offset off the 15-minute grid (Africa/Monrovia in 1971, UTC−0:44:30)', async (t) => {
  const app = await build(t);
  await events(app, [
    { type: 'user_signed_up', userId: 'm1', occurredAt: '1971-06-01T00:40:00Z' }, // 23:55:30 on May 31 there
    { type: 'user_signed_up', userId: 'm2', occurredAt: '1971-06-01T00:44:40Z' }, // 00:00:10 on June 1
    { type: 'user_signed_up', userId: 'm3', occurredAt: '1971-06-01T00:50:00Z' },
    active('m1', '1971-06-02T01:00:00Z'),
    active('m2', '1971-06-02T00:45:00Z'),
  ]);
  const r = await get<Retention>(
    app,
    '/v1/metrics/retention?from=1971-05-31T00:00:00Z&to=1971-06-03T00:00:00Z&granularity=day&periods=3&tz=Africa/Monrovia',
  );
  t.same(
    r.cohorts.map((c) => [c.cohortStart, c.size, pairs(c.periods)]),
    [
      [
        '1971-05-31T00:44:30.000Z',
        1,
        [
          [1, 1],
          [1, 1],
          [1, 0],
        ],
      ],
      [
        '1971-06-01T00:44:30.000Z',
        2,
        [
          [2, 2],
          [2, 1],
          [2, 0],
        ],
      ],
    ],
    'members of one 15-minute slice on both sides of a local midnight land in their own cohorts',
  );
});

t.test('LTV per loop: refunds, the horizon edge, users not yet matured', async (t) => {
  const app = await build(t);
  const now = Date.now();
  const recent = new Date(now - 10 * 86_400_000).toISOString();
  // The history below, written in January 2026, moved by whole days to start 60 days before today: `days=365`
  // holds it whatever the date of the run (it left that window on 5 January 2027).
  const shift =
    Math.floor(now / 86_400_000) * 86_400_000 - 60 * 86_400_000 - Date.parse('2026-01-05T00:00:00Z');
  const on = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  await events(app, [
    { type: 'user_signed_up', userId: 'a', occurredAt: on('2026-01-05T23:59:00Z') },
    {
      type: 'invite_sent',
      inviteId: 'i1',
      referrerId: 'a',
      source: 'gift',
      occurredAt: on('2026-01-06T00:00:00Z'),
    },
    { type: 'invite_signed_up', inviteId: 'i1', userId: 'b', occurredAt: on('2026-01-06T00:01:00Z') },
    {
      type: 'invite_sent',
      inviteId: 'i2',
      referrerId: 'a',
      source: 'gift',
      occurredAt: on('2026-01-06T00:00:00Z'),
    },
    { type: 'invite_signed_up', inviteId: 'i2', userId: 'c', occurredAt: on('2026-01-07T00:00:00Z') },
    { type: 'user_signed_up', userId: 'late', occurredAt: recent },
    { type: 'revenue', userId: 'a', eventId: 'a1', amount: 10, occurredAt: on('2026-01-06T00:00:00Z') },
    { type: 'revenue', userId: 'a', eventId: 'a2', amount: -10, occurredAt: on('2026-01-07T00:00:00Z') }, // refund
    { type: 'revenue', userId: 'b', eventId: 'b1', amount: 5.5, occurredAt: on('2026-01-06T00:01:00Z') }, // at signup
    { type: 'revenue', userId: 'b', eventId: 'b2', amount: 3, occurredAt: on('2026-02-05T00:01:00Z') }, // s + 30 d: out
    { type: 'revenue', userId: 'b', eventId: 'b3', amount: 0.25, occurredAt: on('2026-02-05T00:00:59Z') }, // just in
    { type: 'revenue', userId: 'late', eventId: 'l1', amount: 100, occurredAt: recent },
  ]);
  type Ltv = {
    complete: boolean;
    sources: Record<string, unknown>[];
    total: Record<string, unknown>;
  };
  const r = await get<Ltv>(app, '/v1/metrics/ltv?days=365&horizonDays=30');
  t.same(r.sources, [
    { source: 'gift', users: 2, matured: 2, revenue: 5.75, ltv: 2.875, payingShare: 0.5 },
    { source: 'organic', users: 2, matured: 1, revenue: 0, ltv: 0, payingShare: 0 },
  ]);
  t.same(r.total, { users: 4, matured: 3, revenue: 5.75, ltv: 5.75 / 3, payingShare: 1 / 3 });
  t.equal(r.complete, false, 'late has not matured');
  const short = await get<Ltv>(app, '/v1/metrics/ltv?days=365&horizonDays=1');
  t.same(short.sources[0], {
    source: 'gift',
    users: 2,
    matured: 2,
    revenue: 5.5,
    ltv: 2.75,
    payingShare: 0.5,
  });
  // a's refund falls after its first 24 hours: +10 net, like late's +100.
  t.same(short.sources[1], {
    source: 'organic',
    users: 2,
    matured: 2,
    revenue: 110,
    ltv: 55,
    payingShare: 1,
  });
  const empty = await get<Ltv>(app, '/v1/metrics/ltv?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z');
  t.same(empty.total, { users: 0, matured: 0, revenue: 0, ltv: null, payingShare: null });
  const csv = await app.inject({ url: '/v1/metrics/ltv?days=365&format=csv' });
  const lines = csv.body.trim().split('\r\n');
  t.equal(
    lines[0],
    'from,to,tz,conversionWindowDays,complete,horizonDays,source,users,matured,revenue,ltv,payingShare',
  );
  t.same(
    lines.slice(1).map((l) => l.split(',').slice(6).join(',')),
    ['gift,2,2,5.75,2.875,0.5', 'organic,2,1,0,0,0', `(total),4,3,5.75,${5.75 / 3},${1 / 3}`],
  );
  t.equal((await app.inject({ url: '/v1/metrics/ltv?horizonDays=366' })).statusCode, 400);
});

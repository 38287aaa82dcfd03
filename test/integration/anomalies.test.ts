import t from 'tap';
import { detectAnomalies } from '../../src/stats/anomaly.js';
import { build, json } from '../helper.js';
import { RECOMPUTE_INVITE_PREDECESSORS } from '../../src/viral/invites-ingest.js';

type App = Awaited<ReturnType<typeof build>>;
const DAY = 86_400_000;
// The listed window ends 2026-03-01 (exclusive): 56 days from 2026-01-04; data starts 84 days earlier.
const END = Date.parse('2026-03-01T00:00:00Z');
const FIRST = END - 140 * DAY;
const dateOf = (i: number) => new Date(FIRST + i * DAY).toISOString().slice(0, 10);

/** 100 × (1 ± 15 % by weekday) plus a deterministic wobble: a weekly pattern without randomness. */
const pattern = (i: number) =>
  Math.round(100 * (1 + 0.15 * Math.sin((2 * Math.PI * i) / 7)) + (((i * 7) % 11) - 5));

async function users(app: App, counts: number[], hour = 12) {
  await app.db.knex.raw(
    `INSERT INTO users (user_id, signed_up_at)
     SELECT 'u' || t.day || '_' || g, :first::timestamptz + t.day * interval '1 day' + :hour * interval '1 hour'
       FROM unnest(:days::int[], :counts::int[]) AS t(day, n), generate_series(1, t.n) g`,
    { first: new Date(FIRST).toISOString(), hour, days: counts.map((_, i) => i), counts },
  );
}

/** n invites a day from n/2 referrers; `converted` of them sign up an hour after sending. */
async function invites(app: App, days: { n: number; converted: number }[], start: number) {
  await app.db.knex.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, signup_user_id, signed_up_at)
     SELECT 'i' || t.day || '_' || g, 'r' || (g % greatest(t.n / 2, 1)), 'buddy', s.at,
            CASE WHEN g <= t.c THEN 'v' || t.day || '_' || g END,
            CASE WHEN g <= t.c THEN s.at + interval '1 hour' END
       FROM unnest(:days::int[], :ns::int[], :cs::int[]) AS t(day, n, c), generate_series(1, t.n) g,
            LATERAL (SELECT :start::timestamptz + t.day * interval '1 day' + interval '6 hours' AS at) s`,
    {
      start: new Date(start).toISOString(),
      days: days.map((_, i) => i),
      ns: days.map((d) => d.n),
      cs: days.map((d) => d.converted),
    },
  );
  await app.db.knex.raw(RECOMPUTE_INVITE_PREDECESSORS);
}

t.test('signups: a 30 % drop is flagged; numbers match the pure computation', async (t) => {
  const app = await build(t);
  const counts = Array.from({ length: 140 }, (_, i) => pattern(i));
  counts[137] = Math.round(counts[137]! * 0.7);
  await users(app, counts);
  const res = await app.inject({ url: '/v1/metrics/anomalies?metric=signups&to=2026-03-01T00:00:00Z' });
  t.equal(res.statusCode, 200, res.body);
  const body = json<{ metric: string; days: { date: string; value: number; status: string }[] }>(res);
  t.equal(body.metric, 'signups');
  t.equal(body.days.length, 56);
  t.equal(body.days[0]!.date, '2026-01-04');
  t.equal(body.days.at(-1)!.date, '2026-02-28');
  const expected = detectAnomalies(
    counts.map((value, i) => ({ date: dateOf(i), value, complete: true, hasData: true, dropAllowed: true })),
  ).slice(84);
  t.same(body.days, expected);
  const flagged = body.days.filter((d) => d.status !== 'normal');
  t.same(
    flagged.map((d) => [d.date, d.status]),
    [[dateOf(137), 'drop']],
  );

  const csv = await app.inject({
    url: '/v1/metrics/anomalies?metric=signups&to=2026-03-01T00:00:00Z&days=2&format=csv',
  });
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  const lines = csv.body.trim().split(/\r?\n/);
  t.equal(lines[0], 'metric,source,tz,conversionWindowDays,date,value,expected,z,status');
  t.equal(lines.length, 3);
  t.match(lines[1], /^signups,,UTC,1,2026-02-27,/);
});

t.test('tz: days are local; the first days of data have insufficient history', async (t) => {
  const app = await build(t);
  // Signups at 03:00 UTC belong to the previous day in New York.
  await users(app, [5, 6, 7], 3);
  const q = 'metric=signups&days=4&to=2025-10-15T00:00:00Z';
  const utc = json<{ days: { date: string; value: number; status: string }[] }>(
    await app.inject({ url: `/v1/metrics/anomalies?${q}` }),
  );
  t.same(
    utc.days.map((d) => [d.date, d.value, d.status]),
    [
      ['2025-10-11', 0, 'insufficient_data'],
      ['2025-10-12', 5, 'insufficient_data'],
      ['2025-10-13', 6, 'insufficient_data'],
      ['2025-10-14', 7, 'insufficient_data'],
    ],
  );
  const ny = json<{ days: { date: string; value: number }[] }>(
    await app.inject({ url: `/v1/metrics/anomalies?${q}&tz=America/New_York` }),
  );
  t.same(
    ny.days.map((d) => [d.date, d.value]),
    [
      ['2025-10-11', 5],
      ['2025-10-12', 6],
      ['2025-10-13', 7],
      ['2025-10-14', 0],
    ],
  );
});

t.test('k_factor: incomplete days, the 30-invite rule, source filter', async (t) => {
  const app = await build(t);
  const now = Date.now();
  const start = Math.floor(now / DAY) * DAY - 40 * DAY; // 40 days ago, UTC midnight
  // 40 invites a day from 20 referrers, 18–22 converted (K 0.9–1.1), through today.
  const days = Array.from({ length: 41 }, (_, i) => ({ n: 40, converted: 18 + ((i * 7) % 5) }));
  days[35] = { n: 40, converted: 4 }; // K 0.2 on a day with 40 invites: drop
  days[36] = { n: 20, converted: 1 }; // K 0.1 on a day with 20 invites: not a drop
  await invites(app, days, start);
  const body = json<{ days: { date: string; value: number; status: string; z: number | null }[] }>(
    await app.inject({ url: '/v1/metrics/anomalies?metric=k_factor&days=8' }),
  );
  const byDate = new Map(body.days.map((d) => [d.date, d]));
  const at = (i: number) => byDate.get(new Date(start + i * DAY).toISOString().slice(0, 10))!;
  t.equal(at(35).value, 0.2);
  t.equal(at(35).status, 'drop');
  t.equal(at(36).value, 0.1);
  t.equal(at(36).status, 'normal');
  t.ok(at(36).z! < -3.5, 'a low-volume day is not a drop although its z is');
  // Yesterday's conversion window (1 day) has not passed, nor has today.
  t.equal(at(39).status, 'incomplete');
  t.equal(at(40).status, 'incomplete');
  t.equal(at(38).status, 'normal');
  const other = json<{ source: string; days: { value: number; status: string }[] }>(
    await app.inject({ url: '/v1/metrics/anomalies?metric=k_factor&days=8&source=streak' }),
  );
  t.equal(other.source, 'streak');
  t.ok(other.days.every((d) => d.value === 0));
});

t.test('k_factor: a referrer counts once per local day', async (t) => {
  const app = await build(t);
  // Referrer a sends at 23:30 and 01:00 UTC (one evening in New York), b at noon UTC; a's first and b's convert.
  // a also sent a gift invite at 22:00 UTC, which only the unfiltered series counts.
  await app.db.knex.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, signup_user_id, signed_up_at) VALUES
       ('a0', 'a', 'gift', '2026-02-10T22:00:00Z', NULL, NULL),
       ('a1', 'a', 'buddy', '2026-02-10T23:30:00Z', 'va1', '2026-02-11T00:30:00Z'),
       ('a2', 'a', 'buddy', '2026-02-11T01:00:00Z', NULL, NULL),
       ('b1', 'b', 'buddy', '2026-02-11T12:00:00Z', 'vb1', '2026-02-11T13:00:00Z')`,
  );
  await app.db.knex.raw(RECOMPUTE_INVITE_PREDECESSORS);
  const series = async (q: string) =>
    json<{ days: { date: string; value: number }[] }>(
      await app.inject({ url: `/v1/metrics/anomalies?metric=k_factor&days=2&${q}` }),
    ).days.map((d) => [d.date, d.value]);
  // UTC: 02-10 a is one sender with one conversion (K 1/1); 02-11 a and b are two senders, one conversion (K 1/2).
  t.same(await series('to=2026-02-12T00:00:00Z'), [
    ['2026-02-10', 1],
    ['2026-02-11', 0.5],
  ]);
  // The buddy loop alone: a's first buddy invite (after the gift one the same day) still counts a as a sender.
  t.same(await series('to=2026-02-12T00:00:00Z&source=buddy'), [
    ['2026-02-10', 1],
    ['2026-02-11', 0.5],
  ]);
  // New York: a's invites fall on 02-10, one sender (K 1/1); b alone on 02-11 (K 1/1).
  t.same(await series('to=2026-02-12T05:00:00Z&tz=America/New_York'), [
    ['2026-02-10', 1],
    ['2026-02-11', 1],
  ]);
});

t.test('bad input names the field', async (t) => {
  const app = await build(t);
  for (const [q, path] of [
    ['metric=clicks', 'metric'],
    ['days=0', 'days'],
    ['tz=Mars/Olympus', 'tz'],
    ['from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z', 'from'],
  ] as const) {
    const res = await app.inject({ url: `/v1/metrics/anomalies?${q}` });
    t.equal(res.statusCode, 400, q);
    t.equal(json<{ errors: { path: string }[] }>(res).errors[0]!.path, path, q);
  }
});

import t from 'tap';
import { build, json } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;
const post = async (app: App, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, payload });
  if (res.statusCode >= 300 && res.statusCode !== 422) throw new Error(`${url}: ${res.body}`);
  return res;
};

// Window [2026-03-02 (a Monday), 2026-03-09); conversion window 14 days. Expected numbers are worked by hand.
const W = 'from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z';

async function seed(app: App) {
  for (const [userId, signedUpAt] of [
    ['alice', '2026-02-01T00:00:00Z'],
    ['bob', '2026-02-15T00:00:00Z'],
    ['eve', '2026-03-05T08:00:00Z'],
  ]) {
    await post(app, '/v1/users', { userId, signedUpAt });
  }
  const invite = (inviteId: string, referrerId: string, source: string, sentAt: string) =>
    post(app, '/v1/invites', { inviteId, referrerId, source, sentAt });
  const signup = (inviteId: string, userId: string, occurredAt: string) =>
    post(app, `/v1/invites/${inviteId}/signups`, { userId, occurredAt });
  await invite('i0', 'alice', 'buddy', '2026-03-01T23:59:59Z'); // one second before the window
  await signup('i0', 'x0', '2026-03-02T01:00:00Z');
  await invite('i1', 'alice', 'buddy', '2026-03-02T10:00:00Z');
  await post(app, '/v1/invites/i1/clicks', { occurredAt: '2026-03-02T11:00:00Z' });
  await signup('i1', 'carl', '2026-03-02T12:00:00Z'); // 7,200 s
  await post(app, '/v1/users/carl/fvm', { occurredAt: '2026-03-03T12:00:00Z' }); // 86,400 s later
  await invite('i2', 'alice', 'buddy', '2026-03-03T10:00:00Z');
  await post(app, '/v1/invites/i2/clicks', { occurredAt: '2026-03-03T10:30:00Z' });
  await signup('i2', 'alice', '2026-03-03T11:00:00Z'); // self-referral: rejected, recorded
  await invite('i3', 'bob', 'streak', '2026-03-04T00:00:00Z');
  await signup('i3', 'dan', '2026-03-20T00:00:00Z'); // 16 days: outside the conversion window
  await invite('i4', 'bob', 'streak', '2026-03-05T00:00:00Z');
  await signup('i4', 'erin', '2026-03-05T00:00:05Z'); // 5 s: a fast conversion
  await invite('i5', 'carl', 'buddy', '2026-03-06T00:00:00Z'); // carl's first invite closes i1's loop
}

const get = async (app: App, path: string) => {
  const res = await app.inject({ url: `/v1/metrics/${path}` });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.body}`);
  return json<Record<string, unknown>>(res);
};

t.test('k-factor, viral coefficient, window edges', async (t) => {
  const app = await build(t);
  await seed(app);
  const k = await get(app, `k-factor?${W}`);
  t.same(k, {
    from: '2026-03-02T00:00:00.000Z',
    to: '2026-03-09T00:00:00.000Z',
    tz: 'UTC',
    conversionWindowDays: 14,
    complete: true,
    invites: 5, // i0 was sent before the window
    senders: 3,
    conversions: 2, // i1 and i4; i3 converted after 16 days
    invitesPerSender: 5 / 3,
    conversionRate: 0.4,
    kFactor: 2 / 3, // = invitesPerSender × conversionRate = conversions / senders
    status: 'poor',
    userBase: 6, // alice, bob, eve, x0, carl, erin (dan signed up after the window)
    viralCoefficient: 2 / 6,
    inviterShare: 0.5,
  });
  const wide = await get(app, `k-factor?${W}&conversionWindowDays=30`);
  t.equal(wide.conversions, 3, 'a 30-day conversion window counts i3');
  const empty = await get(app, 'k-factor?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z');
  t.match(empty, {
    invites: 0,
    senders: 0,
    conversions: 0,
    invitesPerSender: 0,
    kFactor: 0,
    status: 'poor',
    userBase: 0,
  });
  const recent = await get(app, 'k-factor');
  t.equal(recent.invites, 0, 'default: the last 7 days');
});

t.test('by source and loop efficiency', async (t) => {
  const app = await build(t);
  await seed(app);
  const s = await get(app, `k-factor/by-source?${W}`);
  t.same(s.sources, [
    {
      source: 'buddy',
      invites: 3,
      senders: 2,
      conversions: 1,
      invitesPerSender: 1.5,
      conversionRate: 1 / 3,
      kFactor: 0.5,
      status: 'poor',
    },
    {
      source: 'streak',
      invites: 2,
      senders: 1,
      conversions: 1,
      invitesPerSender: 2,
      conversionRate: 0.5,
      kFactor: 1,
      status: 'good',
    },
  ]);
  const loops = (await get(app, `loop-efficiency?${W}`)).loops as Record<string, unknown>[];
  t.same(
    loops.map((l) => [l.source, l.efficiencyScore, l.roi, l.recommendation]),
    [
      ['streak', 0.5, 1, 'continue_investing'],
      ['buddy', 0.5 * (1 / 3), 0.5, 'deprioritize'],
    ],
  );
  t.type(loops[0]!.recommendationText, 'string');
});

t.test('cycle time, top referrers, funnel', async (t) => {
  const app = await build(t);
  await seed(app);
  t.match(await get(app, `cycle-time?${W}`), {
    conversions: 2,
    p50Seconds: 3602.5, // percentile_cont over [5, 7200]
    p90Seconds: 6480.5,
    meanSeconds: 3602.5,
    fullLoop: { count: 1, p50Seconds: 309_600 }, // i1 sent 03-02 10:00 → carl's i5 03-06 00:00
  });
  t.same((await get(app, `top-referrers?${W}`)).referrers, [
    { rank: 1, referrerId: 'alice', invites: 2, conversions: 1, conversionRate: 0.5 },
    { rank: 2, referrerId: 'bob', invites: 2, conversions: 1, conversionRate: 0.5 },
    { rank: 3, referrerId: 'carl', invites: 1, conversions: 0, conversionRate: 0 },
  ]);
  t.equal(((await get(app, `top-referrers?${W}&limit=1`)).referrers as unknown[]).length, 1);
  t.same((await get(app, `funnel?${W}`)).stages, [
    {
      stage: 'invited',
      count: 5,
      conversionFromPrevious: null,
      conversionFromTop: 1,
      medianSecondsFromPrevious: null,
    },
    {
      stage: 'clicked',
      count: 2,
      conversionFromPrevious: 0.4,
      conversionFromTop: 0.4,
      medianSecondsFromPrevious: 2700,
    },
    {
      stage: 'signed_up',
      count: 2,
      conversionFromPrevious: 1,
      conversionFromTop: 0.4,
      medianSecondsFromPrevious: 3600,
    },
    {
      stage: 'fvm_reached',
      count: 1,
      conversionFromPrevious: 0.5,
      conversionFromTop: 0.2,
      medianSecondsFromPrevious: 86_400,
    },
  ]);
  const streak = await get(app, `funnel?${W}&source=streak`);
  t.equal(streak.source, 'streak');
  t.same(
    (streak.stages as { count: number; conversionFromPrevious: number | null }[]).map((s) => [
      s.count,
      s.conversionFromPrevious,
    ]),
    [
      [2, null],
      [0, 0],
      [1, 0], // from 0 clicked: a ratio over 0 is 0
      [0, 0],
    ],
  );
});

t.test('timeline by day and by ISO week in a time zone', async (t) => {
  const app = await build(t);
  await seed(app);
  const days = (await get(app, `timeline?${W}`)).periods as Record<string, unknown>[];
  t.equal(days.length, 7);
  t.same(days[0], {
    periodStart: '2026-03-02T00:00:00.000Z',
    invites: 1,
    clicks: 1,
    signups: 2,
    organicSignups: 0,
    referredSignups: 2, // x0 (through i0, sent before the window) and carl
    fvm: 0,
    senders: 1,
    conversions: 1,
    kFactor: 1,
  });
  t.match(days[1], { invites: 1, clicks: 1, fvm: 1, kFactor: 0 });
  t.match(days[3], {
    periodStart: '2026-03-05T00:00:00.000Z',
    invites: 1,
    organicSignups: 1,
    referredSignups: 1,
    kFactor: 1,
  });
  t.match(days[6], { invites: 0, clicks: 0, signups: 0, fvm: 0, kFactor: 0 });

  // i0 was sent on Sunday 23:59:59 UTC, which is Monday 00:59:59 in Berlin (UTC+1).
  const range = 'from=2026-02-23T00:00:00Z&to=2026-03-09T00:00:00Z&granularity=week';
  const utc = (await get(app, `timeline?${range}`)).periods as { periodStart: string; invites: number }[];
  t.same(
    utc.map((p) => [p.periodStart, p.invites]),
    [
      ['2026-02-23T00:00:00.000Z', 1],
      ['2026-03-02T00:00:00.000Z', 5],
    ],
  );
  const berlin = (await get(app, `timeline?${range}&tz=Europe/Berlin`)).periods as typeof utc;
  t.same(
    berlin.map((p) => [p.periodStart, p.invites]),
    [
      ['2026-02-22T23:00:00.000Z', 0],
      ['2026-03-01T23:00:00.000Z', 6],
      ['2026-03-08T23:00:00.000Z', 0],
    ],
  );
  const csv = await app.inject({ url: `/v1/metrics/timeline?${W}&format=csv` });
  const lines = csv.body.trimEnd().split('\r\n');
  t.equal(lines.length, 8, 'header + 7 days');
  t.match(lines[0], /^from,to,tz,conversionWindowDays,complete,periodStart,invites,clicks/);
  t.match(
    lines[1],
    /^2026-03-02T00:00:00.000Z,2026-03-09T00:00:00.000Z,UTC,14,true,2026-03-02T00:00:00.000Z,1,1,2,0,2,0,1,1,1$/,
  );
});

t.test('fraud signals', async (t) => {
  const app = await build(t, { FRAUD_BURST_PER_HOUR: '2' });
  await seed(app);
  for (let i = 0; i < 3; i++) {
    await post(app, '/v1/invites', {
      inviteId: `s${i}`,
      referrerId: 'spam',
      source: 'buddy',
      sentAt: '2026-03-07T00:00:00Z',
    });
    await post(app, `/v1/invites/s${i}/signups`, {
      userId: `bot${i}`,
      occurredAt: `2026-03-07T01:${10 + 10 * i}:00Z`,
    });
  }
  t.same((await get(app, 'fraud')).signals, [
    { type: 'fast_conversion', referrerId: 'bob', count: 1 },
    { type: 'self_referral', referrerId: 'alice', count: 1 },
    { type: 'signup_burst', referrerId: 'spam', count: 3 },
  ]);
  t.same((await get(app, 'fraud?from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z')).signals, [
    { type: 'fast_conversion', referrerId: 'bob', count: 1 },
  ]);
});

t.test('cohorts by ISO week', async (t) => {
  const app = await build(t);
  const mondayOf = (ms: number) => {
    const d = new Date(ms);
    return (
      Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * 86_400_000
    );
  };
  const now = Date.now();
  const weekStart = mondayOf(now);
  const inWeek = (share: number) => new Date(weekStart + (now - weekStart) * share).toISOString();
  const before = (days: number) => new Date(weekStart - days * 86_400_000).toISOString();
  await post(app, '/v1/users', { userId: 'u2', signedUpAt: before(6) });
  await post(app, '/v1/users', { userId: 'u3', signedUpAt: before(5) });
  await post(app, '/v1/invites', { inviteId: 'j1', referrerId: 'u2', source: 'buddy', sentAt: before(1) });
  await post(app, '/v1/users', { userId: 'u1', signedUpAt: inWeek(0.2) });
  await post(app, '/v1/invites/j1/signups', { userId: 'v1', occurredAt: inWeek(0.4) });
  await post(app, '/v1/invites', { inviteId: 'j2', referrerId: 'u1', source: 'buddy', sentAt: inWeek(0.6) });
  // Asked as of `now`: had a Monday 00:00 UTC passed between `now` and the request, every week would move on by one.
  const c = await get(app, `cohorts?weeks=3&to=${new Date(now).toISOString()}`);
  t.same(c.cohorts, [
    {
      weekStart: before(14),
      size: 0,
      invites: 0,
      conversions: 0,
      avgInvitesPerUser: 0,
      conversionRate: 0,
      kFactor: 0,
    },
    {
      weekStart: before(7),
      size: 2,
      invites: 1,
      conversions: 1,
      avgInvitesPerUser: 0.5,
      conversionRate: 1,
      kFactor: 0.5,
    },
    {
      weekStart: before(0),
      size: 2,
      invites: 1,
      conversions: 0,
      avgInvitesPerUser: 0.5,
      conversionRate: 0,
      kFactor: 0,
    },
  ]);
  t.equal(c.complete, false, 'j2 can still convert');
  // Without `to`, the weeks up to the current one: the same, unless a new week has begun since `now`.
  const current = await get(app, 'cohorts?weeks=3');
  if (mondayOf(Date.now()) === weekStart) t.same(current.cohorts, c.cohorts, '`to` defaults to now');
});

t.test('metric parameters are validated', async (t) => {
  const app = await build(t);
  for (const q of [
    'k-factor?days=0',
    'k-factor?days=366',
    'k-factor?tz=Mars/Olympus',
    'k-factor?conversionWindowDays=91',
    'k-factor?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
    'timeline?granularity=month',
    'cohorts?weeks=53',
    'top-referrers?limit=101',
    'k-factor?from=yesterday',
  ]) {
    const res = await app.inject({ url: `/v1/metrics/${q}` });
    t.equal(res.statusCode, 400, q);
    t.equal(json(res).code, 'validation_failed');
  }
});

t.test('a K of exactly 1 is good, exactly 1.2 excellent, exactly 0.8 warning', async (t) => {
  const app = await build(t);
  // 3 senders × 5 invites; conversions chosen so that K = conversions / senders hits each threshold exactly.
  let n = 0;
  const loop = async (source: string, conversions: number) => {
    for (let s = 0; s < 5; s++) {
      for (let i = 0; i < 3; i++) {
        const inviteId = `${source}-${n++}`;
        await post(app, '/v1/invites', {
          inviteId,
          referrerId: `${source}-r${s}`,
          source,
          sentAt: '2026-03-03T00:00:00Z',
        });
        if (s * 3 + i < conversions) {
          await post(app, `/v1/invites/${inviteId}/signups`, {
            userId: `${inviteId}-u`,
            occurredAt: '2026-03-03T01:00:00Z',
          });
        }
      }
    }
  };
  await loop('good', 5); // 5 senders, 5 conversions: K = 1
  await loop('excellent', 6); // K = 1.2
  await loop('warning', 4); // K = 0.8
  const sources = (await get(app, `k-factor/by-source?${W}`)).sources as {
    source: string;
    kFactor: number;
    status: string;
  }[];
  t.same(
    sources.map((s) => [s.source, s.kFactor, s.status]),
    [
      ['excellent', 1.2, 'excellent'],
      ['good', 1, 'good'],
      ['warning', 0.8, 'warning'],
    ],
  );
});

t.test('CSV of an empty answer still has its header row', async (t) => {
  const app = await build(t);
  const empty = 'from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&format=csv';
  const top = await app.inject({ url: `/v1/metrics/top-referrers?${empty}` });
  t.equal(
    top.body,
    'from,to,tz,conversionWindowDays,complete,rank,referrerId,invites,conversions,conversionRate\r\n',
  );
  const fraud = await app.inject({ url: '/v1/metrics/fraud?format=csv' });
  t.equal(fraud.body, 'type,referrerId,count\r\n');
  const loops = await app.inject({ url: `/v1/metrics/loop-efficiency?${empty}` });
  t.match(
    loops.body,
    /^from,to,tz,conversionWindowDays,complete,source,invites,senders,conversions,kFactor,/,
  );
});

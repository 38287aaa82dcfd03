import t from 'tap';
import { build, json } from '../helper.js';

// Attribution, geography and the forecast pinned on hand-worked data (SPEC §8.4–§8.6).

type App = Awaited<ReturnType<typeof build>>;
const DAY = 86_400_000;
const events = async (app: App, list: object[]) => {
  const res = await app.inject({ method: 'POST', url: '/v1/events', payload: { events: list } });
  const r = json<{ rejected: unknown[] }>(res);
  if (r.rejected.length > 0) throw new Error(JSON.stringify(r.rejected));
};
const get = async <T = Record<string, unknown>>(app: App, url: string) => {
  const res = await app.inject({ url });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
  return json<T>(res);
};
const iso = (ms: number) => new Date(ms).toISOString();
type Attribution = {
  signups: number;
  multiTouchSignups: number;
  bySource: { source: string; credit: number; share: number }[];
  byReferrer: { referrerId: string; credit: number }[];
};

t.test(
  'a visitor who clicked three invites from two loops, a tie, and a signup without clicks',
  async (t) => {
    const app = await build(t);
    const s = Date.parse('2026-02-20T12:00:00Z');
    const user = (userId: string) => ({ type: 'user_signed_up', userId, occurredAt: '2026-01-01T00:00:00Z' });
    const invite = (inviteId: string, referrerId: string, source: string) => ({
      type: 'invite_sent',
      inviteId,
      referrerId,
      source,
      occurredAt: '2026-01-02T00:00:00Z',
    });
    const click = (inviteId: string, visitorId: string, at: number) => ({
      type: 'invite_clicked',
      inviteId,
      visitorId,
      occurredAt: iso(at),
    });
    await events(app, [
      user('r1'),
      user('r2'),
      user('r3'),
      invite('ia', 'r1', 'gift'),
      invite('ib', 'r2', 'streak'),
      invite('ic', 'r3', 'gift'),
      invite('id', 'r1', 'gift'),
      invite('ie', 'r2', 'streak'),
      invite('if', 'r3', 'gift'),
      click('ia', 'v', s - 40 * DAY), // outside the 30-day look-back
      click('ia', 'v', s - 5 * DAY),
      click('ib', 'v', s - 3 * DAY),
      click('ib', 'v', s - 2 * DAY), // the visitor's latest click on ib counts
      click('ic', 'other', s - 10 * DAY),
      click('ic', 'v', s - 1 * DAY),
      { type: 'invite_signed_up', inviteId: 'ic', userId: 'x', visitorId: 'v', occurredAt: iso(s) },
      click('ia', 'v', s + DAY), // after the signup: not a touch
      // w clicked ie and if at the same instant: ie comes first by invite id.
      click('ie', 'w', s - DAY),
      click('if', 'w', s - DAY),
      { type: 'invite_signed_up', inviteId: 'if', userId: 'y', visitorId: 'w', occurredAt: iso(s) },
      // id was first clicked after its signup: its touch is the signup itself.
      { type: 'invite_signed_up', inviteId: 'id', userId: 'z', occurredAt: iso(s + 1000) },
      click('id', 'late', s + 2000),
    ]);
    const q = `from=${iso(s - DAY)}&to=${iso(s + DAY)}`;
    const at = async (model: string, extra = '') =>
      get<Attribution>(app, `/v1/metrics/attribution?${q}&model=${model}${extra}`);

    const last = await at('last_touch');
    t.equal(last.signups, 3);
    t.equal(last.multiTouchSignups, 2);
    t.same(last.bySource, [{ source: 'gift', credit: 3, share: 1 }]);
    t.same(last.byReferrer, [
      { referrerId: 'r3', credit: 2 },
      { referrerId: 'r1', credit: 1 },
    ]);
    const first = await at('first_touch');
    t.same(first.bySource, [
      { source: 'gift', credit: 2, share: 2 / 3 },
      { source: 'streak', credit: 1, share: 1 / 3 },
    ]);
    t.same(first.byReferrer, [
      { referrerId: 'r1', credit: 2 },
      { referrerId: 'r2', credit: 1 },
    ]);
    const linear = await at('linear');
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-12;
    // x: ia, ib, ic → ⅓ each (gift ⅔, streak ⅓); y: ie, if → ½ each; z: id → 1.
    t.ok(near(linear.bySource[0]!.credit, 2 / 3 + 0.5 + 1) && linear.bySource[0]!.source === 'gift');
    t.ok(near(linear.bySource[1]!.credit, 1 / 3 + 0.5));
    const pos = await at('position_based');
    const credit = (r: Attribution, id: string) => r.byReferrer.find((x) => x.referrerId === id)!.credit;
    // x: ia 0.4 (r1), ib 0.2 (r2), ic 0.4 (r3); y: ie 0.5 (r2), if 0.5 (r3); z: id 1 (r1).
    t.ok(near(credit(pos, 'r1'), 1.4) && near(credit(pos, 'r2'), 0.7) && near(credit(pos, 'r3'), 0.9));
    const decay = await at('time_decay', '&halfLifeDays=2');
    // x's weights 2^(−5/2), 2^(−2/2), 2^(−1/2); y's equal; z's one touch.
    const wx = [2 ** -2.5, 2 ** -1, 2 ** -0.5];
    const sx = wx[0]! + wx[1]! + wx[2]!;
    t.ok(near(credit(decay, 'r1'), wx[0]! / sx + 1), `r1 ${credit(decay, 'r1')}`);
    t.ok(near(credit(decay, 'r2'), wx[1]! / sx + 0.5), `r2 ${credit(decay, 'r2')}`);
    t.ok(near(credit(decay, 'r3'), wx[2]! / sx + 0.5), `r3 ${credit(decay, 'r3')}`);
    t.ok(
      near(
        decay.bySource.reduce((a, b) => a + b.credit, 0),
        3,
      ),
      'credits sum to the signups',
    );
    const short = await at('first_touch', '&lookbackDays=4');
    t.same(
      short.byReferrer,
      [
        { referrerId: 'r2', credit: 2 },
        { referrerId: 'r1', credit: 1 },
      ],
      'a 4-day look-back drops ia: x first touched ib',
    );
    const tiny = await at('time_decay', '&halfLifeDays=0.1&lookbackDays=365');
    t.ok(
      near(
        tiny.bySource.reduce((a, b) => a + b.credit, 0),
        3,
      ),
      'tiny half-life: no underflow',
    );
    t.same((await at('last_touch', '&limit=1')).byReferrer, [{ referrerId: 'r3', credit: 2 }]);
    const csv = await app.inject({ url: `/v1/metrics/attribution?${q}&model=first_touch&format=csv` });
    const lines = csv.body.trim().split('\r\n');
    t.equal(
      lines[0],
      'from,to,tz,conversionWindowDays,complete,model,lookbackDays,halfLifeDays,signups,multiTouchSignups,source,credit,share',
    );
    t.equal(lines.length, 3);
    t.equal((await app.inject({ url: `/v1/metrics/attribution?model=u_shaped` })).statusCode, 400);
    t.equal((await app.inject({ url: `/v1/metrics/attribution?halfLifeDays=0.05` })).statusCode, 400);
    const none = await get<Attribution>(
      app,
      '/v1/metrics/attribution?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z',
    );
    t.same([none.signups, none.bySource, none.byReferrer], [0, [], []]);
  },
);

t.test('geography: countries, unknown countries, unregistered referrers and flows', async (t) => {
  const app = await build(t);
  const at = '2026-02-01T00:00:00Z';
  const later = (h: number) => iso(Date.parse(at) + h * 3_600_000);
  await events(app, [
    { type: 'user_signed_up', userId: 'de1', country: 'DE', occurredAt: at },
    { type: 'user_signed_up', userId: 'us1', country: 'US', occurredAt: at },
    { type: 'user_signed_up', userId: 'anon', occurredAt: at },
    { type: 'invite_sent', inviteId: 'd1', referrerId: 'de1', source: 'gift', occurredAt: later(1) },
    { type: 'invite_sent', inviteId: 'd2', referrerId: 'de1', source: 'gift', occurredAt: later(1) },
    { type: 'invite_sent', inviteId: 'd3', referrerId: 'de1', source: 'gift', occurredAt: later(1) },
    { type: 'invite_sent', inviteId: 'u1', referrerId: 'us1', source: 'gift', occurredAt: later(1) },
    { type: 'invite_sent', inviteId: 'g1', referrerId: 'ghost', source: 'gift', occurredAt: later(1) },
    { type: 'invite_signed_up', inviteId: 'd1', userId: 'fr1', country: 'FR', occurredAt: later(2) },
    { type: 'invite_signed_up', inviteId: 'd2', userId: 'fr2', country: 'FR', occurredAt: later(3) },
    { type: 'invite_signed_up', inviteId: 'd3', userId: 'x1', occurredAt: later(20 * 24) }, // after the window
    { type: 'invite_signed_up', inviteId: 'u1', userId: 'de2', country: 'DE', occurredAt: later(4) },
    { type: 'invite_signed_up', inviteId: 'g1', userId: 'us2', country: 'US', occurredAt: later(5) },
  ]);
  const g = await get<{ countries: Record<string, unknown>[]; flows: unknown[] }>(
    app,
    '/v1/metrics/geo?from=2026-02-01T00:00:00Z&to=2026-02-08T00:00:00Z&conversionWindowDays=14',
  );
  const c = (
    country: string | null,
    signups: number,
    referred: number,
    invites: number,
    senders: number,
    conversions: number,
  ) => ({
    country,
    signups,
    referredSignups: referred,
    invites,
    senders,
    conversions,
    kFactor: senders === 0 ? 0 : conversions / senders,
  });
  t.same(g.countries, [
    c('DE', 2, 1, 3, 1, 2), // x1 signed up after the window but within 14 days of sending: a conversion
    c('US', 2, 1, 1, 1, 1),
    c('FR', 2, 2, 0, 0, 0),
    c(null, 1, 0, 1, 1, 1), // anon's signup, and ghost's invite (not a registered user)
  ]);
  t.same(g.flows, [
    { fromCountry: 'DE', toCountry: 'FR', signups: 2 },
    { fromCountry: 'US', toCountry: 'DE', signups: 1 },
  ]);
  const csv = await app.inject({
    url: '/v1/metrics/geo?from=2026-02-01T00:00:00Z&to=2026-02-08T00:00:00Z&format=csv',
  });
  t.equal(csv.body.trim().split('\r\n').length, 5, 'one row per country');
});

t.test('geography: a referrer who becomes a user after sending, concurrently sent invites', async (t) => {
  const app = await build(t);
  const at = (h: number) => iso(Date.parse('2026-02-01T00:00:00Z') + h * 3_600_000);
  const invite = (inviteId: string, referrerId: string, h: number) => ({
    type: 'invite_sent',
    inviteId,
    referrerId,
    source: 'gift',
    occurredAt: at(h),
  });
  // late sends before being a user; nocountry is a user without a country; jp1 is a user from the start.
  await events(app, [
    { type: 'user_signed_up', userId: 'jp1', country: 'JP', occurredAt: at(0) },
    { type: 'user_signed_up', userId: 'nocountry', occurredAt: at(0) },
    invite('l1', 'late', 1),
    invite('n1', 'nocountry', 1),
  ]);
  await events(app, [{ type: 'user_signed_up', userId: 'late', country: 'KR', occurredAt: at(2) }]);
  // Batches racing each other and the registration of their referrer (each stored or looked up, never lost).
  await Promise.all([
    events(app, [invite('l2', 'late', 3), invite('j1', 'jp1', 3), invite('r1', 'racer', 3)]),
    events(app, [invite('j2', 'jp1', 4), invite('r2', 'racer', 4)]),
    events(app, [{ type: 'user_signed_up', userId: 'racer', country: 'BR', occurredAt: at(0) }]),
  ]);
  await events(app, [
    { type: 'invite_signed_up', inviteId: 'l1', userId: 'kr2', country: 'KR', occurredAt: at(5) },
    { type: 'invite_signed_up', inviteId: 'l2', userId: 'jp2', country: 'JP', occurredAt: at(5) },
    { type: 'invite_signed_up', inviteId: 'j1', userId: 'kr3', country: 'KR', occurredAt: at(5) },
    { type: 'invite_signed_up', inviteId: 'r1', userId: 'br2', country: 'BR', occurredAt: at(5) },
    { type: 'invite_signed_up', inviteId: 'n1', userId: 'br3', country: 'BR', occurredAt: at(5) },
  ]);
  const { rows } = (await app.db.knex.raw(
    `SELECT invite_id, referrer_known, referrer_country FROM invites ORDER BY invite_id`,
  )) as { rows: { invite_id: string; referrer_known: boolean; referrer_country: string | null }[] };
  const stored = Object.fromEntries(rows.map((r) => [r.invite_id, [r.referrer_known, r.referrer_country]]));
  t.same(stored.l1, [false, null], 'sent before its referrer was a user: looked up');
  t.same(stored.l2, [true, 'KR'], 'sent after: the copy');
  t.same(stored.j1, [true, 'JP']);
  t.same(stored.n1, [true, null], 'a user without a country');
  t.ok(['false,', 'true,BR'].includes(String(stored.r1)), 'a racing registration: the copy or a lookup');
  const g = await get<{
    countries: { country: string | null; invites: number; signups: number }[];
    flows: unknown[];
  }>(app, '/v1/metrics/geo?from=2026-02-01T00:00:00Z&to=2026-02-08T00:00:00Z');
  const invites = Object.fromEntries(g.countries.map((c) => [String(c.country), c.invites]));
  t.same(invites, { KR: 2, JP: 2, BR: 2, null: 1 });
  t.same(g.flows, [
    { fromCountry: 'BR', toCountry: 'BR', signups: 1 },
    { fromCountry: 'JP', toCountry: 'KR', signups: 1 },
    { fromCountry: 'KR', toCountry: 'JP', signups: 1 },
    { fromCountry: 'KR', toCountry: 'KR', signups: 1 },
  ]);
});

t.test('forecast: the generation model on hand-worked counts', async (t) => {
  const app = await build(t);
  await events(app, [
    { type: 'user_signed_up', userId: 'o1', occurredAt: '2026-01-01T00:00:00Z' },
    { type: 'user_signed_up', userId: 'o2', occurredAt: '2026-01-02T00:00:00Z' },
    { type: 'user_signed_up', userId: 'o3', occurredAt: '2026-01-08T12:00:00Z' }, // slice N_−2
    { type: 'user_signed_up', userId: 'o4', occurredAt: '2026-01-10T05:00:00Z' }, // slice N_0
    {
      type: 'invite_sent',
      inviteId: 'a',
      referrerId: 'o1',
      source: 'gift',
      occurredAt: '2026-01-02T00:00:00Z',
    },
    {
      type: 'invite_sent',
      inviteId: 'b',
      referrerId: 'o1',
      source: 'gift',
      occurredAt: '2026-01-02T00:00:00Z',
    },
    {
      type: 'invite_sent',
      inviteId: 'c',
      referrerId: 'o2',
      source: 'gift',
      occurredAt: '2026-01-03T00:00:00Z',
    },
    { type: 'invite_signed_up', inviteId: 'a', userId: 'r1', occurredAt: '2026-01-03T00:00:00Z' }, // 2 days after o1
    { type: 'invite_signed_up', inviteId: 'b', userId: 'r2', occurredAt: '2026-01-04T12:00:00Z' }, // 3.5 days
    { type: 'invite_signed_up', inviteId: 'c', userId: 'r3', occurredAt: '2026-01-12T00:00:00Z' }, // after `to`
  ]);
  type Forecast = Record<string, unknown> & {
    projection: { date: string; expected: number; low: number; high: number; cumulativeExpected: number }[];
  };
  const f = await get<Forecast>(
    app,
    '/v1/metrics/forecast?from=2026-01-01T00:00:00Z&to=2026-01-11T00:00:00Z&horizonDays=5',
  );
  // users 6 (o1–o4, r1, r2), organic 4, referred 2 → k = 1/3, O = 0.4; p50(2, 3.5) = 2.75 → L = 3.
  t.match(f, { users: 6, organic: 4, referred: 2, k: 1 / 3, organicPerDay: 0.4, cycleDays: 3, viral: false });
  t.ok(Math.abs((f.steadyStatePerDay as number) - 0.6) < 1e-12);
  const k = 1 / 3;
  const n = [1, 0, 1]; // N_−2, N_−1, N_0
  for (let d = 1; d <= 5; d++) n.push(0.4 + k * n[n.length - 3]!);
  const want = n.slice(3);
  f.projection.forEach((p, d) => {
    t.ok(Math.abs(p.expected - want[d]!) < 1e-12, `N_${d + 1} = ${want[d]}`);
    t.ok(p.low < p.high, 'a band');
  });
  t.same(
    f.projection.map((p) => p.date),
    ['2026-01-11', '2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15'].map((d) => `${d}T00:00:00.000Z`),
  );
  t.ok(Math.abs(f.projection[4]!.cumulativeExpected - want.reduce((a, b) => a + b)) < 1e-12);
  const again = await get<Forecast>(
    app,
    '/v1/metrics/forecast?from=2026-01-01T00:00:00Z&to=2026-01-11T00:00:00Z&horizonDays=5',
  );
  t.same(again.projection, f.projection, 'a fixed seed: the same band every time');
  const empty = await get<Forecast>(
    app,
    '/v1/metrics/forecast?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&horizonDays=2',
  );
  t.match(empty, { users: 0, k: 0, cycleDays: 1, organicPerDay: 0, steadyStatePerDay: 0, viral: false });
  const csv = await app.inject({
    url: '/v1/metrics/forecast?from=2026-01-01T00:00:00Z&to=2026-01-11T00:00:00Z&horizonDays=5&format=csv',
  });
  const lines = csv.body.trim().split('\r\n');
  t.equal(lines.length, 6, 'one row per step');
  const header = lines[0]!.split(',');
  const first = Object.fromEntries(lines[1]!.split(',').map((v, k) => [header[k], v]));
  t.match(
    first,
    { users: String(f.users), referred: String(f.referred), organic: String(f.organic), k: String(f.k) },
    'the window-level counts repeated on every step, as in the JSON',
  );
});

t.test(
  'forecast: referrers found by the copy of their signup time on the invite, or looked up',
  async (t) => {
    const app = await build(t);
    const at = (d: number) => iso(Date.parse('2026-03-01T00:00:00Z') + d * DAY);
    const invite = (inviteId: string, referrerId: string, d: number) => ({
      type: 'invite_sent',
      inviteId,
      referrerId,
      source: 'gift',
      occurredAt: at(d),
    });
    const signup = (inviteId: string, userId: string, d: number) => ({
      type: 'invite_signed_up',
      inviteId,
      userId,
      occurredAt: at(d),
    });
    // late sends before being a user; before signed up before the window; ghost never signs up.
    await events(app, [
      { type: 'user_signed_up', userId: 'early', occurredAt: at(0) },
      { type: 'user_signed_up', userId: 'before', occurredAt: at(-30) },
      invite('l1', 'late', 1),
      invite('g1', 'ghost', 1),
    ]);
    await events(app, [invite('e1', 'early', 1), invite('b1', 'before', 1)]);
    await events(app, [{ type: 'user_signed_up', userId: 'late', occurredAt: at(3) }]);
    await events(app, [
      signup('e1', 'r_e', 2),
      signup('l1', 'r_l', 4),
      signup('b1', 'r_b', 2),
      signup('g1', 'r_g', 2),
    ]);
    const { rows } = (await app.db.knex.raw(
      `SELECT invite_id, referrer_signed_up_at FROM invites ORDER BY invite_id`,
    )) as { rows: { invite_id: string; referrer_signed_up_at: Date | null }[] };
    t.same(
      Object.fromEntries(rows.map((r) => [r.invite_id, r.referrer_signed_up_at?.toISOString() ?? null])),
      { b1: at(-30), e1: at(0), g1: null, l1: null },
      'the copy where the referrer was a user when the invite was stored',
    );
    type Forecast = { users: number; organic: number; referred: number; k: number; cycleDays: number };
    const url = `/v1/metrics/forecast?from=${at(0)}&to=${at(10)}&horizonDays=2`;
    const f = await get<Forecast>(app, url);
    // users: early, late and the four invitees; organic: early and late; referred through early (2 days after early's
    // signup) and late (1 day after late's signup, who sent before signing up) → k = 2/6; p50(1, 2) = 1.5 → L = 2.
    t.match(f, { users: 6, organic: 2, referred: 2, k: 2 / 6, cycleDays: 2 });
    // README (Upgrades): filling in the copy for stored invites changes no answer.
    await app.db.knex.raw(
      `UPDATE invites i SET referrer_signed_up_at = u.signed_up_at
       FROM users u WHERE u.user_id = i.referrer_id AND i.referrer_signed_up_at IS NULL`,
    );
    const filled = (await app.db.knex.raw(
      `SELECT count(*)::int AS n FROM invites WHERE referrer_signed_up_at IS NULL`,
    )) as { rows: { n: number }[] };
    t.equal(filled.rows[0]!.n, 1, 'only the ghost referrer stays unset');
    t.same(await get<Forecast>(app, url), f, 'the same forecast');
  },
);

import t, { type Test } from 'tap';
import * as expected from '../support/viral-expected.js';
import { DAY, generate } from '../support/viral-model.js';
import { build, json } from '../helper.js';

// A seeded random stream of ~1,000 events loaded through POST /v1/events, then every metric compared with the
// SPEC's definitions computed independently in JavaScript (test/support/viral-expected.ts).

type App = Awaited<ReturnType<typeof build>>;

/** Deep equality with numbers compared to 1e-9 (relative); key sets must match exactly. */
function close(t: Test, actual: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof actual === 'number') {
    if (Math.abs(actual - want) > 1e-9 * Math.max(1, Math.abs(want))) t.fail(`${path}: ${actual} ≠ ${want}`);
  } else if (Array.isArray(want) && Array.isArray(actual)) {
    if (actual.length !== want.length) t.fail(`${path}: length ${actual.length} ≠ ${want.length}`);
    else want.forEach((w, k) => close(t, actual[k], w, `${path}[${k}]`));
  } else if (want !== null && typeof want === 'object' && actual !== null && typeof actual === 'object') {
    const a = actual as Record<string, unknown>;
    const w = want as Record<string, unknown>;
    const keys = Object.keys(w);
    for (const k of keys) close(t, a[k], w[k], `${path}.${k}`);
  } else if (actual !== want) t.fail(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(want)}`);
}

async function load(app: App, events: Record<string, unknown>[]) {
  const totals = { accepted: 0, duplicates: 0, rejected: [] as { code: string }[] };
  for (let k = 0; k < events.length; k += 400) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: { events: events.slice(k, k + 400) },
    });
    const r = json<typeof totals>(res);
    totals.accepted += r.accepted;
    totals.duplicates += r.duplicates;
    totals.rejected.push(...r.rejected);
  }
  return totals;
}

const now = Date.now();
const model = generate(20261124, now);

t.test('every metric equals the SPEC definitions over a random stream', async (t) => {
  const app = await build(t);
  const loaded = await load(app, model.events);
  const codes = loaded.rejected.map((r) => r.code).sort();
  t.ok(codes.length > 0 && codes.every((c) => c === 'self_referral' || c === 'user_exists'), codes.join());
  t.ok(loaded.duplicates > 0, 'repeated clicks are duplicates');

  const get = async (path: string) => {
    const res = await app.inject({ url: `/v1/metrics/${path}` });
    t.equal(res.statusCode, 200, path);
    return json<Record<string, unknown>>(res);
  };
  const base = Math.floor(now / DAY) * DAY - 60 * DAY;
  const ranges = [
    `from=${new Date(base + 25 * DAY).toISOString()}&to=${new Date(base + 32 * DAY).toISOString()}`,
    `from=${new Date(base + 20 * DAY).toISOString()}&to=${new Date(base + 50 * DAY).toISOString()}&conversionWindowDays=7`,
    'days=20&conversionWindowDays=30',
    'days=365',
  ];
  for (const q of ranges) {
    const k = await get(`k-factor?${q}`);
    const w = {
      from: Date.parse(k.from as string),
      to: Date.parse(k.to as string),
      cw: k.conversionWindowDays as number,
    };
    t.equal(k.complete, !expected.pending(model, w, now), `complete ${q}`);
    close(t, k, expected.kFactor(model, w), `k-factor?${q}`);
    close(t, (await get(`k-factor/by-source?${q}`)).sources, expected.bySource(model, w), `by-source?${q}`);
    close(t, (await get(`loop-efficiency?${q}`)).loops, expected.loopEfficiency(model, w), `loops?${q}`);
    close(t, await get(`cycle-time?${q}`), expected.cycleTime(model, w), `cycle-time?${q}`);
    // Small limits rank from the converted invites' candidates, a large one groups every referrer of the window.
    for (const limit of [1, 3, 100]) {
      close(
        t,
        (await get(`top-referrers?${q}&limit=${limit}`)).referrers,
        expected.topReferrers(model, w, limit),
        `top ${limit}?${q}`,
      );
    }
    close(t, (await get(`funnel?${q}`)).stages, expected.funnel(model, w), `funnel?${q}`);
    close(
      t,
      (await get(`funnel?${q}&source=gift`)).stages,
      expected.funnel(model, w, 'gift'),
      `funnel gift?${q}`,
    );
    for (const g of ['day', 'week'] as const) {
      for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
        const periods = (await get(`timeline?${q}&granularity=${g}&tz=${tz}`)).periods;
        close(t, periods, expected.timeline(model, w, g, tz), `timeline ${g} ${tz}?${q}`);
      }
    }
    const summary = await get(`summary?${q}`);
    close(t, summary.activeReferrers, k.senders, 'summary activeReferrers');
    close(t, summary.kFactor, k.kFactor, 'summary kFactor');
    // Each part of the summary equals its own endpoint's, and the model.
    const { from: _f, to: _t, tz: _z, conversionWindowDays: _c, complete: _p, ...kOnly } = k;
    close(t, summary, { ...kOnly, ...expected.kFactor(model, w) }, `summary cards?${q}`);
    close(t, summary.sources, expected.bySource(model, w), `summary sources?${q}`);
    close(t, summary.topReferrers, expected.topReferrers(model, w, 10), `summary top referrers?${q}`);
    const cycle = expected.cycleTime(model, w) as {
      p50Seconds: number;
      p90Seconds: number;
      meanSeconds: number;
    };
    close(
      t,
      summary.cycleTime,
      { p50Seconds: cycle.p50Seconds, p90Seconds: cycle.p90Seconds, meanSeconds: cycle.meanSeconds },
      `summary cycle time?${q}`,
    );
    const sorted = (s: unknown) =>
      (s as { type: string; referrerId: string }[]).map((x) => JSON.stringify(x)).sort();
    t.same(sorted((await get(`fraud?${q}`)).signals), sorted(expected.fraud(model, w, 10, 20)), `fraud?${q}`);
  }
  const signals = expected.fraud(model, null, 10, 20);
  t.ok(
    ['self_referral', 'fast_conversion', 'signup_burst'].every((type) =>
      signals.some((s) => s.type === type),
    ),
    'the stream holds every kind of fraud',
  );
  t.same((await get('fraud')).signals, signals, 'fraud over all data, in order');
  for (const [cw, tz] of [
    [14, 'UTC'],
    [3, 'Europe/Berlin'],
    [14, 'America/New_York'],
  ] as const) {
    // Asked as of the model's `now`: the stream loads for seconds, and a week that began in between (Monday 00:00
    // in tz) would shift every cohort of the answer by one week against the model's.
    const to = new Date(now).toISOString();
    const c = await get(`cohorts?weeks=12&conversionWindowDays=${cw}&tz=${tz}&to=${to}`);
    close(t, c.cohorts, expected.cohorts(model, now, 12, cw, tz), `cohorts cw=${cw} tz=${tz}`);
  }
});

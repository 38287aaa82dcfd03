import t, { type Test } from 'tap';
import * as expected from '../support/growth-expected.js';
import { generateGrowth } from '../support/growth-model.js';
import { DAY } from '../support/viral-model.js';
import { build, json } from '../helper.js';

// A seeded random stream (~3,000 events: countries, multi-touch clicks, visitors, activity on period boundaries,
// revenue with refunds) loaded through POST /v1/events, then every §8 metric compared with the SPEC's definitions
// computed independently in JavaScript (test/support/growth-expected.ts).

type App = Awaited<ReturnType<typeof build>>;

/** Deep equality with numbers compared to 1e-9 (relative); arrays must have equal lengths. */
function close(t: Test, actual: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof actual === 'number') {
    if (Math.abs(actual - want) > 1e-9 * Math.max(1, Math.abs(want))) t.fail(`${path}: ${actual} ≠ ${want}`);
  } else if (Array.isArray(want) && Array.isArray(actual)) {
    if (actual.length !== want.length) t.fail(`${path}: length ${actual.length} ≠ ${want.length}`);
    else want.forEach((w, k) => close(t, actual[k], w, `${path}[${k}]`));
  } else if (want !== null && typeof want === 'object' && actual !== null && typeof actual === 'object') {
    for (const [k, w] of Object.entries(want))
      close(t, (actual as Record<string, unknown>)[k], w, `${path}.${k}`);
  } else if (actual !== want) t.fail(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(want)}`);
}

async function load(app: App, events: Record<string, unknown>[]) {
  let accepted = 0;
  const rejected: unknown[] = [];
  for (let k = 0; k < events.length; k += 1000) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: { events: events.slice(k, k + 1000) },
    });
    const r = json<{ accepted: number; rejected: unknown[] }>(res);
    accepted += r.accepted;
    rejected.push(...r.rejected);
  }
  return { accepted, rejected };
}

const now = Date.now();
const model = generateGrowth(20261204, now);

t.test('every §8 metric equals the SPEC definitions over a random stream', async (t) => {
  const app = await build(t);
  const loaded = await load(app, model.events);
  t.same(loaded.rejected, [], 'every generated event is valid');
  t.equal(loaded.accepted, model.events.length);
  const multi = expected.attribution(
    model,
    { from: 0, to: now, cw: 14, tz: 'UTC' },
    {
      model: 'linear',
      lookbackDays: 30,
      halfLifeDays: 7,
      limit: 10,
    },
  ).multiTouchSignups;
  t.ok(multi > 10, `the stream has multi-touch signups (${multi})`);

  const get = async (path: string) => {
    const res = await app.inject({ url: `/v1/metrics/${path}` });
    t.equal(res.statusCode, 200, path);
    return json<Record<string, unknown> & { from: string; to: string; conversionWindowDays: number }>(res);
  };
  const base = Math.floor(now / DAY) * DAY - 120 * DAY;
  const ranges = [
    `from=${new Date(base + 20 * DAY).toISOString()}&to=${new Date(base + 50 * DAY + 3_600_000).toISOString()}`,
    `from=${new Date(base + 10 * DAY).toISOString()}&to=${new Date(base + 100 * DAY).toISOString()}&conversionWindowDays=5`,
    'days=90',
    'days=30&tz=America/New_York',
  ];
  /** Compares one answer with the model over the answer's own window (`days` windows end at each request's now). */
  const check = async (path: string, tz: string, want: (w: expected.GW, now: number) => unknown) => {
    const r = await get(path);
    const w = { from: Date.parse(r.from), to: Date.parse(r.to), cw: r.conversionWindowDays, tz };
    close(t, r, want(w, Date.now()), path);
  };
  for (const q of ranges) {
    const tz = q.includes('tz=') ? 'America/New_York' : 'UTC';
    await check(`geo?${q}`, tz, (w) => expected.geo(model, w));
    for (const granularity of ['day', 'week'] as const) {
      for (const mode of ['on', 'on_or_after'] as const) {
        for (const source of [undefined, 'organic', 'gift']) {
          const periods = granularity === 'day' ? 14 : 8;
          const path = `retention?${q}&granularity=${granularity}&mode=${mode}&periods=${periods}${source ? `&source=${source}` : ''}`;
          await check(path, tz, (w, at) =>
            expected.retention(model, w, { granularity, periods, mode, source }, at),
          );
        }
      }
    }
    await check(
      `retention?${q.replace(/&tz=[^&]*/, '')}&tz=Europe/Berlin&periods=10`,
      'Europe/Berlin',
      (w, at) => expected.retention(model, w, { granularity: 'week', periods: 10, mode: 'on' }, at),
    );
    for (const h of [1, 30, 60]) {
      await check(`ltv?${q}&horizonDays=${h}`, tz, (w, at) => expected.ltv(model, w, h, at));
    }
    for (const m of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] as const) {
      for (const [lookbackDays, halfLifeDays] of [
        [30, 7],
        [3, 0.5],
        [365, 0.1],
      ] as const) {
        const path = `attribution?${q}&model=${m}&lookbackDays=${lookbackDays}&halfLifeDays=${halfLifeDays}&limit=100`;
        await check(path, tz, (w) =>
          expected.attribution(model, w, { model: m, lookbackDays, halfLifeDays, limit: 100 }),
        );
      }
    }
    for (const h of [7, 30])
      await check(`forecast?${q}&horizonDays=${h}`, tz, (w) => expected.forecast(model, w, h));
  }
});

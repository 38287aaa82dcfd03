import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { bucketUser } from '../../src/experiments/bucketing.js';
import { proportionsTest } from '../../src/stats/proportions.js';
import { build, expectProblem, json, startedExperiment } from '../helper.js';

// Experiment metrics retention_d7 and ltv (SPEC §8.7) pinned on hand-worked data; the statistics come from
// test/reference/experiment-growth-metrics.py (scipy).

type App = Awaited<ReturnType<typeof build>>;
interface Value {
  sum: number;
  mean: number | null;
  variance: number | null;
  meanDifference: number | null;
  pValue: number | null;
}
interface Row {
  variant: string;
  assigned: number;
  exposed: number;
  eligible: number;
  pending: number;
  retained?: number;
  converted: number;
  conversionRate: number | null;
  zScore: number | null;
  pValue: number | null;
  chanceToBeatControl: number | null;
  expectedLoss: number | null;
  value: Value | null;
}
interface Results {
  metric: string;
  method: string;
  horizonDays?: number;
  totals: { assigned: number; exposed: number; converted: number; eligible: number; pending: number };
  srm: { chiSquare: number | null };
  variants: Row[];
  warnings: string[];
}

const reference = JSON.parse(
  readFileSync(new URL('../fixtures/reference/experiment-growth-metrics.json', import.meta.url), 'utf8'),
) as {
  retention: { zScore: number; pValue: number; chanceToBeatControl: number; expectedLoss: number };
  ltv: { meanDifference: number; controlVariance: number; treatmentVariance: number; pValue: number };
};

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const close = (t: Test, got: number | null | undefined, want: number, tol: number, what: string) =>
  t.ok(got != null && Math.abs(got - want) <= tol, `${what}: ${got} ≈ ${want}`);

/** The first `n` ids `<prefix>-i` that the experiment "exp" (50/50) puts in `variant` (0 control, 1 variant_a). */
const idsIn = (variant: number, n: number, prefix: string) => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const id = `${prefix}-${i}`;
    if (bucketUser({ hashSeed: 'exp', userId: id, weights: [50, 50], trafficPercent: 100 }) === variant) {
      out.push(id);
    }
  }
  return out;
};

const ok = async (app: App, method: 'GET' | 'POST', url: string, payload?: object) => {
  const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
};
const results = async (app: App, query: string) =>
  json<Results>(await ok(app, 'GET', `/v1/experiments/exp/results?${query}`));

/**
 * Day D is 12 UTC days ago at 00:00. Control c1–c4, treatment t1–t5 (t4 assigned, never exposed):
 *  c1 exposed D 23:59, active D+7 00:01 (calendar day 7, but only 6 d 0 h 2 min after exposure: not retained)
 *  c2 exposed D 23:59, active D+8 00:01 (7 d 0 h 2 min after: retained)
 *  c3 exposed D 12:00, active D+7 11:59 and D+8 12:00 (just before and at the window's exclusive end: not retained)
 *  c4 exposed now − 7.5 d, active now − 0.2 d (inside a window that has not ended: pending)
 *  t1 exposed D 10:00, active D+7 10:00 (the window's first instant: retained)
 *  t2 exposed D 10:00, active D+7 15:00 (retained)
 *  t3 exposed D 10:00, never active
 *  t5 exposed now − 2.5 d (pending)
 */
async function world(app: App) {
  const now = Date.now();
  const D = Math.floor(now / DAY) * DAY - 12 * DAY;
  const at = (ms: number) => new Date(ms).toISOString();
  await startedExperiment(app, { key: 'exp' }, at(D - DAY));
  const [c1, c2, c3, c4] = idsIn(0, 4, 'c') as [string, string, string, string];
  const [t1, t2, t3, t4, t5] = idsIn(1, 5, 't') as [string, string, string, string, string];
  for (const userId of [c1, c2, c3, c4, t1, t2, t3, t4, t5]) {
    await ok(app, 'POST', '/v1/users', { userId, signedUpAt: at(D - 30 * DAY) });
  }
  const expose = (userId: string, ms: number) =>
    ok(app, 'POST', '/v1/experiments/exp/exposures', { userId, occurredAt: at(ms) });
  const active = (userId: string, ms: number) =>
    ok(app, 'POST', `/v1/users/${userId}/activity`, { occurredAt: at(ms) });
  await expose(c1, D + 23 * HOUR + 59 * 60_000);
  await expose(c2, D + 23 * HOUR + 59 * 60_000);
  await expose(c3, D + 12 * HOUR);
  await expose(c4, now - 7.5 * DAY);
  for (const u of [t1, t2, t3]) await expose(u, D + 10 * HOUR);
  await ok(app, 'POST', '/v1/experiments/exp/assignments', { userId: t4 });
  await expose(t5, now - 2.5 * DAY);
  await active(c1, D + 7 * DAY + 60_000);
  await active(c2, D + 8 * DAY + 60_000);
  await active(c3, D + 7 * DAY + 11 * HOUR + 59 * 60_000);
  await active(c3, D + 8 * DAY + 12 * HOUR);
  await active(c4, now - 0.2 * DAY);
  await active(t1, D + 7 * DAY + 10 * HOUR);
  await active(t2, D + 7 * DAY + 15 * HOUR);
  return { D, now, at, c: [c1, c2, c3, c4], t: [t1, t2, t3, t4, t5] };
}

t.test(
  'retention_d7: 24-hour windows from first exposure, pending users left out, Bayesian and sequential',
  async (t) => {
    const app = await build(t);
    await world(app);
    const r = await results(app, 'metric=retention_d7');
    t.equal(r.metric, 'retention_d7');
    const [control, treatment] = r.variants as [Row, Row];
    t.match(control, {
      variant: 'control',
      assigned: 4,
      exposed: 4,
      eligible: 3,
      pending: 1,
      retained: 1,
      converted: 1,
    });
    t.match(treatment, {
      variant: 'variant_a',
      assigned: 5,
      exposed: 4,
      eligible: 3,
      pending: 1,
      retained: 2,
    });
    t.match(r.totals, { assigned: 9, exposed: 8, converted: 3, eligible: 6, pending: 2 });
    close(t, control.conversionRate, 1 / 3, 1e-12, 'control rate over eligible users');
    close(t, treatment.conversionRate, 2 / 3, 1e-12, 'treatment rate');
    close(t, treatment.zScore, reference.retention.zScore, 1e-9, 'z');
    close(t, treatment.pValue, reference.retention.pValue, 1e-9, 'p');
    close(
      t,
      treatment.chanceToBeatControl,
      reference.retention.chanceToBeatControl,
      1e-7,
      'chance to beat control',
    );
    close(t, treatment.expectedLoss, reference.retention.expectedLoss, 1e-7, 'expected loss');
    t.equal(treatment.value, null, 'binomial: no value block');
    t.equal(r.srm.chiSquare, 0, 'SRM on all exposed users (4 and 4)');

    // Sequential: the always-valid p-value of the same eligible counts.
    const seq = await results(app, 'metric=retention_d7&method=sequential');
    const expected = proportionsTest({
      control: { n: 3, conversions: 1 },
      treatments: [{ n: 3, conversions: 2 }],
      alpha: 0.05,
      correction: 'holm',
      method: 'sequential',
    }).variants[1]!;
    t.equal(seq.method, 'sequential');
    close(t, seq.variants[1]!.pValue, expected.pValue!, 1e-12, 'sequential p over the eligible users');
    t.ok(seq.variants[1]!.pValue! >= treatment.pValue!, 'always-valid p is not smaller than the fixed one');

    const csv = await ok(app, 'GET', '/v1/experiments/exp/results?metric=retention_d7&format=csv');
    const [header, first] = csv.body.split('\r\n') as [string, string];
    const cols = header.split(',');
    const cells = first.split(',');
    t.equal(cells[cols.indexOf('eligible')], '3');
    t.equal(cells[cols.indexOf('pending')], '1');
    t.equal(cells[cols.indexOf('retained')], '1');
  },
);

t.test(
  'retention_d7 and ltv of a completed experiment: activity and revenue from completedAt on do not count',
  async (t) => {
    const app = await build(t);
    const { D, at, c, t: tr } = await world(app);
    await ok(app, 'POST', `/v1/users/${tr[0]}/revenue`, {
      eventId: 'before',
      amount: 5,
      occurredAt: at(D + DAY),
    });
    await ok(app, 'POST', `/v1/users/${tr[0]}/revenue`, {
      eventId: 'after',
      amount: 7,
      occurredAt: at(D + 2 * DAY),
    });
    await ok(app, 'POST', '/v1/experiments/exp/winner', { variant: 'variant_a' });
    // Completed on D+7 12:00: t1's activity (10:00) counts, t2's (15:00) and c2's (D+8 00:01) do not.
    await app.db
      .knex('experiments')
      .where({ key: 'exp' })
      .update({ completed_at: at(D + 7 * DAY + 12 * HOUR) });
    const r = await results(app, 'metric=retention_d7');
    t.match(r.variants[0], { eligible: 3, retained: 0, pending: 1 });
    t.match(r.variants[1], { eligible: 3, retained: 1, pending: 1 });
    await app.db
      .knex('experiments')
      .where({ key: 'exp' })
      .update({ completed_at: at(D + 1.5 * DAY) });
    const ltv = await results(app, 'metric=ltv&horizonDays=3');
    t.match(ltv.variants[1], { eligible: 3, value: { sum: 5 } }, 'revenue after completion left out');
    t.equal(c.length, 4);
  },
);

t.test(
  'ltv: revenue in [first exposure, + horizon), refunds included, pending users left out, Welch',
  async (t) => {
    const app = await build(t);
    const { D, now, at, c, t: tr } = await world(app);
    let n = 0;
    const pay = (userId: string, amount: number, ms: number) =>
      ok(app, 'POST', `/v1/users/${userId}/revenue`, { eventId: `r-${n++}`, amount, occurredAt: at(ms) });
    const exposedC12 = D + 23 * HOUR + 59 * 60_000;
    await pay(c[0]!, 10, exposedC12 - 60_000); // before the exposure: not counted
    await pay(c[0]!, 5, D + DAY + 60_000);
    await pay(c[0]!, -5, D + 2 * DAY); // refunded: net 0, not paying
    await pay(c[1]!, 20, exposedC12 + 3 * DAY - 60_000); // the horizon's last minute
    await pay(c[1]!, 7, exposedC12 + 3 * DAY); // the horizon's exclusive end
    await pay(tr[0]!, 30, D + DAY);
    await pay(tr[1]!, 30, D + 2 * DAY);
    await pay(tr[1]!, -10, D + 2.5 * DAY);
    await pay(tr[2]!, -5, D + DAY); // a refund alone: net −5
    await pay(tr[4]!, 50, now - DAY); // t5 is pending: not counted
    const r = await results(app, 'metric=ltv&horizonDays=3');
    t.equal(r.horizonDays, 3);
    const [control, treatment] = r.variants as [Row, Row];
    // Control eligible [c1 0, c2 20, c3 0, c4 0] (c4 exposed 7.5 days ago has a 3-day horizon behind it).
    t.match(control, { exposed: 4, eligible: 4, pending: 0, converted: 1, value: { sum: 20, mean: 5 } });
    t.match(treatment, { exposed: 4, eligible: 3, pending: 1, converted: 2, value: { sum: 45, mean: 15 } });
    t.notOk('retained' in control, 'no retained field on ltv');
    close(t, control.value!.variance, reference.ltv.controlVariance, 1e-9, 'control variance');
    close(t, treatment.value!.variance, reference.ltv.treatmentVariance, 1e-9, 'treatment variance');
    close(t, treatment.value!.meanDifference, reference.ltv.meanDifference, 1e-9, 'mean difference');
    close(t, treatment.value!.pValue, reference.ltv.pValue, 1e-9, 'Welch p');
    t.equal(treatment.chanceToBeatControl, null, 'valued metric: no Bayesian figures');
    close(t, control.conversionRate, 1 / 4, 1e-12, 'paying share of the eligible');

    // Default horizon 30 days: every exposure is younger than that, so nobody is eligible yet.
    const young = await results(app, 'metric=ltv');
    t.equal(young.horizonDays, 30);
    t.match(young.variants[0], {
      eligible: 0,
      pending: 4,
      conversionRate: null,
      value: { sum: 0, mean: null },
    });
    t.ok(
      young.warnings.some((w) => w.startsWith('not_yet_eligible')),
      'says why there is nothing to compare',
    );
    t.notMatch(JSON.stringify(young), /NaN|Infinity/);

    expectProblem(
      t,
      await app.inject({ url: '/v1/experiments/exp/results?metric=ltv&horizonDays=0' }),
      400,
      'validation_failed',
      'horizonDays',
    );
    expectProblem(
      t,
      await app.inject({ url: '/v1/experiments/exp/results?metric=ltv&horizonDays=366' }),
      400,
      'validation_failed',
      'horizonDays',
    );
  },
);

t.test('retention_d7 as the target metric of an experiment', async (t) => {
  const app = await build(t);
  const created = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: { key: 'ret', targetMetric: 'retention_d7', variants: [{ key: 'control' }, { key: 'b' }] },
  });
  t.equal(created.statusCode, 201);
  await ok(app, 'POST', '/v1/experiments/ret/start');
  await ok(app, 'POST', '/v1/users', { userId: 'u1' });
  await ok(app, 'POST', '/v1/experiments/ret/exposures', { userId: 'u1' });
  const r = json<Results>(await ok(app, 'GET', '/v1/experiments/ret/results'));
  t.equal(r.metric, 'retention_d7');
  t.match(r.totals, { exposed: 1, eligible: 0, pending: 1 });
  t.ok(r.warnings.some((w) => w.startsWith('not_yet_eligible')));
});

t.test('timeline of retention_d7 and ltv: users become eligible on the day their window ends', async (t) => {
  const app = await build(t);
  const { D, at, c, t: tr } = await world(app);
  await ok(app, 'POST', `/v1/users/${tr[0]}/revenue`, { eventId: 'a', amount: 30, occurredAt: at(D + DAY) });
  await ok(app, 'POST', `/v1/users/${c[1]}/revenue`, {
    eventId: 'b',
    amount: 12,
    occurredAt: at(D + 2 * DAY),
  });
  type Day = { date: string; variants: (Row & { value?: Value | null })[] };
  const timeline = async (q: string) =>
    json<{ days: Day[]; horizonDays?: number }>(
      await ok(app, 'GET', `/v1/experiments/exp/results/timeline?${q}`),
    );
  const ret = await timeline('metric=retention_d7');
  const day = (d: Day[], ms: number) => d.find((x) => x.date === new Date(ms).toISOString())!;
  // Windows of D's exposures end on D+8 (10:00, 12:00, 23:59): nobody is eligible on D+7.
  t.same(
    day(ret.days, D + 7 * DAY).variants.map((v) => [v.exposed, v.eligible, v.converted]),
    [
      [4, 0, 0], // c4 was exposed 7.5 days ago, before D+7
      [3, 0, 0],
    ],
  );
  t.same(
    day(ret.days, D + 8 * DAY).variants.map((v) => [v.exposed, v.eligible, v.converted]),
    [
      [4, 3, 1],
      [3, 3, 2],
    ],
  );
  const last = ret.days.at(-1)!;
  const results7 = await results(app, 'metric=retention_d7');
  t.same(
    last.variants.map((v) => [v.exposed, v.eligible, v.converted, v.pValue]),
    results7.variants.map((v) => [v.exposed, v.eligible, v.converted, v.pValue]),
    'the last day equals the results',
  );
  const ltv = await timeline('metric=ltv&horizonDays=3');
  t.equal(ltv.horizonDays, 3);
  const resultsLtv = await results(app, 'metric=ltv&horizonDays=3');
  const lastLtv = ltv.days.at(-1)!;
  t.same(
    lastLtv.variants.map((v) => [v.eligible, v.converted]),
    resultsLtv.variants.map((v) => [v.eligible, v.converted]),
  );
  close(
    t,
    lastLtv.variants[1]!.value!.meanDifference,
    resultsLtv.variants[1]!.value!.meanDifference!,
    1e-9,
    'Welch difference',
  );
  close(t, lastLtv.variants[1]!.value!.pValue, resultsLtv.variants[1]!.value!.pValue!, 1e-9, 'Welch p');
  t.equal(lastLtv.variants[0]!.value, null);
});

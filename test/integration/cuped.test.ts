import t, { type Test } from 'tap';
import { build, expectProblem, get, json, post, startedExperiment, type App } from '../helper.js';

interface CupedRow {
  theta?: number | null;
  adjustedMean: number;
  controlAdjustedMean?: number;
  absoluteLift?: number;
  varianceReduction?: number | null;
  pValue?: number | null;
}
interface Row {
  variant: string;
  isControl: boolean;
  absoluteLift: number | null;
  pValue: number | null;
  ci: { absolute: [number, number] | null };
  value: { meanDifference: number | null; pValue: number | null } | null;
  cuped: CupedRow | null;
}
interface Results {
  cuped: { covariate: string; lookbackDays: number };
  variants: Row[];
  warnings: string[];
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** θ, adjusted means and variance reduction from the users themselves (SPEC §10.2), for control vs treatment. */
function byHand(users: { variant: string; x: number; y: number }[], treatment: string) {
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const cov = (a: number[], b: number[]) => {
    const ma = mean(a);
    const mb = mean(b);
    return a.reduce((s, v, i) => s + (v - ma) * (b[i]! - mb), 0) / (a.length - 1);
  };
  const both = users.filter((u) => u.variant === 'control' || u.variant === treatment);
  const X = both.map((u) => u.x);
  const theta =
    cov(
      both.map((u) => u.y),
      X,
    ) / cov(X, X);
  const arm = (v: string) => {
    const us = both.filter((u) => u.variant === v);
    const y = us.map((u) => u.y);
    const x = us.map((u) => u.x);
    return {
      adjusted: mean(y) - theta * (mean(x) - mean(X)),
      variance: (cov(y, y) + theta * theta * cov(x, x) - 2 * theta * cov(x, y)) / us.length,
      raw: cov(y, y) / us.length,
    };
  };
  const c = arm('control');
  const tr = arm(treatment);
  return {
    theta,
    control: c.adjusted,
    treatment: tr.adjusted,
    reduction: 1 - (c.variance + tr.variance) / (c.raw + tr.raw),
  };
}

const close = (t: Test, a: number | null | undefined, b: number, what: string) =>
  t.ok(
    a !== null && a !== undefined && Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)),
    `${what}: ${a} vs ${b}`,
  );

async function seed(app: App) {
  const now = Date.now();
  await startedExperiment(app, { key: 'cx' }, iso(now - 20 * DAY));
  const exposedAt = now - 5 * DAY;
  const users: {
    id: string;
    variant: string;
    activity: number[];
    revenue: number[];
    converted: boolean;
    value: number;
  }[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `u${i}`;
    const u = await post(app, '/v1/users', { userId: id, signedUpAt: iso(now - 60 * DAY) });
    t.ok(u.statusCode < 300, u.body);
    // Activity on k distinct days before exposure (1 to 12 days before), twice on the first of them, plus
    // activity outside the window (20 days before) and after exposure, which must not count.
    const k = i % 6;
    const activity = [
      ...Array.from({ length: k }, (_, j) => exposedAt - (1 + 2 * j) * DAY),
      exposedAt - 20 * DAY,
    ];
    if (k > 0) activity.push(exposedAt - DAY + 60_000);
    activity.push(exposedAt + 3_600_000);
    for (const at of activity)
      t.equal((await post(app, `/v1/users/${id}/activity`, { occurredAt: iso(at) })).statusCode, 200);
    const revenue = [exposedAt - 2 * DAY, exposedAt - 30 * DAY, exposedAt + DAY].map((at) => at);
    for (const [j, at] of revenue.entries()) {
      const amount = j === 0 ? (i % 7) * 2.5 : 100;
      const r = await post(app, `/v1/users/${id}/revenue`, {
        eventId: `${id}-r${j}`,
        amount,
        occurredAt: iso(at),
      });
      t.equal(r.statusCode, 200, r.body);
    }
    const a = json<{ variant: string }>(
      await post(app, '/v1/experiments/cx/exposures', { userId: id, occurredAt: iso(exposedAt) }),
    );
    const converted = k >= 2 || i % 9 === 0;
    if (converted)
      await post(app, '/v1/experiments/cx/conversions', { userId: id, occurredAt: iso(exposedAt + DAY) });
    const value = (i % 7) * 3 + (a.variant === 'control' ? 0 : 2);
    await post(app, '/v1/experiments/cx/conversions', {
      userId: id,
      metric: 'purchase',
      value,
      eventId: 'p1',
      occurredAt: iso(exposedAt + DAY),
    });
    users.push({ id, variant: a.variant, activity, revenue: [(i % 7) * 2.5], converted, value });
  }
  return { users, exposedAt };
}

t.test(
  'CUPED: activity days for conversions, revenue for valued metrics, from before first exposure',
  async (t) => {
    const app = await build(t);
    const { users, exposedAt } = await seed(app);
    const daysIn = (u: (typeof users)[number], lookback: number) =>
      new Set(
        u.activity
          .filter((at) => at >= exposedAt - lookback * DAY && at < exposedAt)
          .map((at) => new Date(at).toISOString().slice(0, 10)),
      ).size;
    for (const lookback of [14, 3]) {
      const res = await get(app, `/v1/experiments/cx/results?cuped=true&cupedLookbackDays=${lookback}`);
      t.equal(res.statusCode, 200, res.body);
      const r = json<Results>(res);
      t.same(r.cuped, { covariate: 'activity_days', lookbackDays: lookback });
      const hand = byHand(
        users.map((u) => ({ variant: u.variant, x: daysIn(u, lookback), y: u.converted ? 1 : 0 })),
        'variant_a',
      );
      const [control, treatment] = r.variants;
      close(t, control!.cuped!.adjustedMean, hand.control, 'control adjusted mean');
      close(t, treatment!.cuped!.theta, hand.theta, `θ (L = ${lookback})`);
      close(t, treatment!.cuped!.adjustedMean, hand.treatment, 'treatment adjusted mean');
      close(t, treatment!.absoluteLift, hand.treatment - hand.control, 'adjusted lift leads the results');
      close(t, treatment!.cuped!.varianceReduction, hand.reduction, 'variance reduction');
      t.ok(hand.reduction > 0.2, `the covariate predicts the outcome (${hand.reduction})`);
    }
    const valued = json<Results>(await get(app, '/v1/experiments/cx/results?metric=purchase&cuped=true'));
    t.equal(valued.cuped.covariate, 'revenue');
    const hand = byHand(
      users.map((u) => ({ variant: u.variant, x: u.revenue[0]!, y: u.value })),
      'variant_a',
    );
    const tr = valued.variants[1]!;
    close(t, tr.cuped!.theta, hand.theta, 'θ on revenue');
    close(t, tr.value!.meanDifference, hand.treatment - hand.control, 'adjusted value difference');
    close(t, tr.cuped!.varianceReduction, hand.reduction, 'variance reduction on revenue');
    // Without cuped nothing changes shape.
    const plain = json<Results>(await get(app, '/v1/experiments/cx/results'));
    t.equal(plain.cuped, undefined);
    t.equal(plain.variants[1]!.cuped, undefined);

    // Completed: conversions from completion on count nowhere, CUPED included (recomputed by the refresh route).
    t.equal((await post(app, '/v1/experiments/cx/winner', { variant: 'variant_a' })).statusCode, 200);
    const paths = ['results?cuped=true', 'results?metric=purchase&cuped=true'];
    const before = await Promise.all(
      paths.map(async (p) =>
        json<Results>(await post(app, `/v1/experiments/cx/${p.replace('results', 'results/refresh')}`)),
      ),
    );
    for (const u of users.slice(0, 10)) {
      await post(app, '/v1/experiments/cx/conversions', { userId: u.id, eventId: 'late' });
      await post(app, '/v1/experiments/cx/conversions', {
        userId: u.id,
        metric: 'purchase',
        value: 50,
        eventId: 'late',
      });
    }
    for (const [i, p] of paths.entries()) {
      const after = json<Results>(
        await post(app, `/v1/experiments/cx/${p.replace('results', 'results/refresh')}`),
      );
      t.same(after.variants, before[i]!.variants, `${p}: late conversions change nothing`);
    }
  },
);

t.test('CUPED: bad parameters, k_factor and a constant covariate', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'flat' });
  for (const q of ['cuped=yes', 'cuped=true&cupedLookbackDays=0', 'cuped=true&cupedLookbackDays=91']) {
    expectProblem(t, await get(app, `/v1/experiments/flat/results?${q}`), 400, 'validation_failed');
  }
  expectProblem(
    t,
    await get(app, '/v1/experiments/flat/results?cuped=true&metric=k_factor'),
    400,
    'validation_failed',
    'cuped',
  );
  for (let i = 0; i < 12; i++) {
    const a = json<{ variant: string }>(
      await post(app, '/v1/experiments/flat/assignments', { userId: `f${i}`, expose: true }),
    );
    if (i % 3 === 0 || a.variant === 'variant_a')
      await post(app, '/v1/experiments/flat/conversions', { userId: `f${i}` });
  }
  const plain = json<Results>(await get(app, '/v1/experiments/flat/results'));
  const r = json<Results>(await get(app, '/v1/experiments/flat/results?cuped=true'));
  t.equal(r.variants[1]!.cuped!.theta, null);
  t.equal(r.variants[1]!.pValue, plain.variants[1]!.pValue, 'falls back to the unadjusted figures');
  t.ok(r.warnings.some((w) => w.startsWith('cuped_zero_covariate_variance')));
});

t.test('CUPED on retention_d7 and ltv: eligible users, the metric windows as outcome', async (t) => {
  const app = await build(t);
  const now = Date.now();
  await startedExperiment(app, { key: 'wx' }, iso(now - 30 * DAY));
  const exposedAt = now - 10 * DAY;
  const users: { variant: string; days: number; retained: boolean; pre: number; post: number }[] = [];
  for (let i = 0; i < 30; i++) {
    const id = `w${i}`;
    await post(app, '/v1/users', { userId: id, signedUpAt: iso(now - 60 * DAY) });
    const a = json<{ variant: string }>(
      await post(app, '/v1/experiments/wx/exposures', { userId: id, occurredAt: iso(exposedAt) }),
    );
    const days = i % 5;
    for (let j = 0; j < days; j++)
      await post(app, `/v1/users/${id}/activity`, { occurredAt: iso(exposedAt - (1 + 2 * j) * DAY) });
    const retained = days >= 2 || i % 4 === 0;
    if (retained)
      await post(app, `/v1/users/${id}/activity`, { occurredAt: iso(exposedAt + 7 * DAY + 7_200_000) });
    // Activity on day 6 is outside the day-7 window.
    await post(app, `/v1/users/${id}/activity`, { occurredAt: iso(exposedAt + 6 * DAY) });
    const pre = (i % 6) * 3;
    const post_ = (i % 6) * 2 + (a.variant === 'control' ? 0 : 5) + (i % 2);
    const events: [number, number][] = [
      [pre, exposedAt - 2 * DAY],
      [post_, exposedAt + DAY],
      [50, exposedAt + 4 * DAY], // after the 3-day horizon
    ];
    for (const [j, [amount, at]] of events.entries())
      if (amount > 0)
        await post(app, `/v1/users/${id}/revenue`, { eventId: `${id}-${j}`, amount, occurredAt: iso(at) });
    users.push({ variant: a.variant, days, retained, pre, post: post_ });
  }
  const retention = json<Results>(
    await get(app, '/v1/experiments/wx/results?metric=retention_d7&cuped=true'),
  );
  t.same(retention.cuped, { covariate: 'activity_days', lookbackDays: 14 });
  const r = byHand(
    users.map((u) => ({ variant: u.variant, x: u.days, y: u.retained ? 1 : 0 })),
    'variant_a',
  );
  close(t, retention.variants[1]!.cuped!.theta, r.theta, 'θ on retention_d7');
  close(t, retention.variants[1]!.absoluteLift, r.treatment - r.control, 'adjusted retention lift');
  close(t, retention.variants[1]!.cuped!.varianceReduction, r.reduction, 'variance reduction');

  const ltv = json<Results>(await get(app, '/v1/experiments/wx/results?metric=ltv&horizonDays=3&cuped=true'));
  t.same(ltv.cuped, { covariate: 'revenue', lookbackDays: 14 });
  const l = byHand(
    users.map((u) => ({ variant: u.variant, x: u.pre, y: u.post })),
    'variant_a',
  );
  close(t, ltv.variants[1]!.cuped!.theta, l.theta, 'θ on ltv');
  close(t, ltv.variants[1]!.value!.meanDifference, l.treatment - l.control, 'adjusted ltv difference');
  close(t, ltv.variants[1]!.cuped!.varianceReduction, l.reduction, 'variance reduction on ltv');
});

import t from 'tap';
import { banditProbabilities, banditWeights } from '../../src/stats/bandit.js';
import { build, expectProblem, get, json, post, testDatabase, type App } from '../helper.js';

interface Weight {
  variant: string;
  weight: number;
  pBest: number | null;
}
interface Period {
  period: number;
  startedAt: string;
  weights: { variant: string; weight: number }[];
  pBest: { variant: string; pBest: number }[] | null;
  counts: { variant: string; exposed: number; converted: number }[] | null;
  seed: number | null;
}
interface BanditState {
  weights: Weight[];
  leader: string | null;
  exploring: boolean;
  lastUpdateAt: string | null;
  nextUpdateAt: string | null;
  periods: Period[];
  update?: { opened: boolean; reason: string };
}
interface Row {
  variant: string;
  exposed: number;
  converted: number;
  conversionRate: number;
  absoluteLift: number | null;
  zScore: number | null;
  pValue: number | null;
  ci: { absolute: [number, number] | null };
}
interface Results {
  srm: { chiSquare: number; pValue: number };
  variants: Row[];
  bandit: { periods: { period: number; exposed: number }[] };
}

const VARIANTS = ['control', 'a', 'b'];
const bandit = (app: App, key: string, settings: Record<string, unknown> = {}, extra = {}) =>
  post(app, '/v1/experiments', {
    key,
    type: 'bandit',
    variants: VARIANTS.map((k) => ({ key: k })),
    bandit: settings,
    ...extra,
  });

t.test('bandit settings: defaults, validation and draft-only changes', async (t) => {
  const app = await build(t);
  const created = await post(app, '/v1/experiments', {
    key: 'plain-bandit',
    type: 'bandit',
    targetMetric: 'signup',
    variants: [{ key: 'x' }, { key: 'y' }],
  });
  t.equal(created.statusCode, 201, created.body);
  t.same(json(created).bandit, {
    metric: 'signup',
    explorationHours: 24,
    updateEveryMinutes: 60,
    minWeight: 0.01,
    minUsersPerVariant: 100,
  });
  t.equal(json(created).type, 'bandit');
  const ab = await post(app, '/v1/experiments', { key: 'ab', variants: [{ key: 'x' }, { key: 'y' }] });
  t.equal(json(ab).type, 'ab');
  t.equal(json(ab).bandit, null);
  expectProblem(t, await get(app, '/v1/experiments/ab/bandit'), 404, 'bandit_not_found');
  expectProblem(t, await get(app, '/v1/experiments/nope/bandit'), 404, 'experiment_not_found');
  const bad: [Record<string, unknown>, Record<string, unknown>, string][] = [
    [{ minWeight: 0.34 }, {}, 'bandit.minWeight'],
    [{ updateEveryMinutes: 14 }, {}, 'bandit.updateEveryMinutes'],
    [{ explorationHours: -1 }, {}, 'bandit.explorationHours'],
    [{ minUsersPerVariant: 1.5 }, {}, 'bandit.minUsersPerVariant'],
    [{ metric: 'k_factor' }, {}, 'bandit.metric'],
    [{ seed: 3 }, {}, 'bandit'],
    [{}, { targetMetric: 'k_factor' }, 'targetMetric'],
    [{}, { type: 'ab' }, 'bandit'],
    [{}, { type: 'thompson' }, 'type'],
  ];
  for (const [settings, extra, path] of bad) {
    expectProblem(t, await bandit(app, 'bad', settings, extra), 400, 'validation_failed', path);
  }
  // Patching: a draft may become a bandit; the floor is checked against the variants it will have.
  const patched = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/ab',
    payload: { type: 'bandit', bandit: { minWeight: 0.2, explorationHours: 0 } },
  });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(json(patched).bandit, { minWeight: 0.2, explorationHours: 0, metric: 'conversion' });
  const tooMany = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/ab',
    payload: { variants: ['v', 'w', 'x', 'y', 'z'].map((key) => ({ key })), controlVariant: 'v' },
  });
  expectProblem(t, tooMany, 400, 'validation_failed', 'bandit.minWeight');
  t.equal((await post(app, '/v1/experiments/ab/start')).statusCode, 200);
  const late = await app.inject({ method: 'PATCH', url: '/v1/experiments/ab', payload: { bandit: {} } });
  expectProblem(t, late, 409, 'experiment_not_draft');
  const untyped = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/plain-bandit',
    payload: { type: 'ab' },
  });
  t.equal(untyped.statusCode, 200);
  t.equal(json(untyped).bandit, null);
});

t.test(
  'updates open weight periods; assignments stay sticky; results are reweighted by period',
  async (t) => {
    const app = await build(t);
    t.equal(
      (await bandit(app, 'mab', { explorationHours: 0, minUsersPerVariant: 5, minWeight: 0.05 })).statusCode,
      201,
    );
    expectProblem(t, await post(app, '/v1/experiments/mab/bandit/update'), 409, 'experiment_not_running');
    t.equal((await post(app, '/v1/experiments/mab/start')).statusCode, 200);
    const none = json<BanditState>(await post(app, '/v1/experiments/mab/bandit/update'));
    t.same(none.update, { opened: false, reason: 'too_few_users' });
    t.equal(none.periods.length, 1);
    t.ok(none.exploring);
    t.same(
      none.weights.map((w) => w.weight),
      [1 / 3, 1 / 3, 1 / 3],
    );

    // Each user: the period the batch ran in, the variant it got, whether it converted.
    const users: { id: string; period: number; variant: string; converted: boolean }[] = [];
    const batch = async (period: number, n: number, rate: (variant: string, i: number) => boolean) => {
      for (let i = 0; i < n; i++) {
        const id = `p${period}-u${i}`;
        const a = json<{ variant: string; reason: string }>(
          await post(app, '/v1/experiments/mab/assignments', { userId: id, expose: true }),
        );
        t.equal(a.reason, 'new_assignment');
        const converted = rate(a.variant, i);
        if (converted) {
          const c = await post(app, '/v1/experiments/mab/conversions', { userId: id });
          t.equal(c.statusCode, 200);
        }
        users.push({ id, period, variant: a.variant, converted });
      }
    };
    // The base rate drifts up from one period to the next; b is better throughout.
    await batch(0, 60, (v, i) => (v === 'b' ? i % 4 !== 0 : i % 4 === 0));
    const first = json<BanditState>(await post(app, '/v1/experiments/mab/bandit/update'));
    t.same(first.update, { opened: true, reason: 'opened' });
    t.equal(first.periods.length, 2);
    const p1 = first.periods[1]!;
    // Replay: the stored seed and counts give the stored P(best) and weights.
    const counts = p1.counts!.map((c) => ({ n: c.exposed, conversions: c.converted }));
    const pBest = banditProbabilities(counts, p1.seed!);
    t.same(
      p1.pBest!.map((p) => p.pBest),
      pBest,
    );
    t.same(
      p1.weights.map((w) => w.weight),
      banditWeights(pBest, 0.05),
    );
    const byVariant = (v: string) => users.filter((u) => u.variant === v);
    t.same(
      p1.counts!.map((c) => [c.exposed, c.converted]),
      VARIANTS.map((v) => [byVariant(v).length, byVariant(v).filter((u) => u.converted).length]),
    );
    t.equal(first.leader, 'b');
    t.notOk(first.exploring);
    t.equal(Math.max(...first.weights.map((w) => w.weight)), first.weights[2]!.weight);
    t.ok(first.weights.every((w) => w.weight >= 0.05 / (1 + 0.05 * 2) - 1e-12));

    // Sticky: users of period 0 keep their variants.
    for (const u of users.slice(0, 10)) {
      const again = json<{ variant: string; reason: string }>(
        await post(app, '/v1/experiments/mab/assignments', { userId: u.id }),
      );
      t.same([again.variant, again.reason], [u.variant, 'existing_assignment']);
    }
    await batch(1, 60, (v, i) => (v === 'b' ? i % 5 !== 0 : i % 2 === 0));
    const db = await testDatabase();
    const { rows: recorded } = (await db.knex.raw(
      `SELECT bandit_period AS p, count(*)::int AS n FROM assignments GROUP BY 1 ORDER BY 1`,
    )) as { rows: { p: number; n: number }[] };
    t.same(recorded, [
      { p: 0, n: 60 },
      { p: 1, n: 60 },
    ]);
    // Most new users go to b, as its weight says.
    t.ok(users.filter((u) => u.period === 1 && u.variant === 'b').length > 40);
    const second = json<BanditState>(await post(app, '/v1/experiments/mab/bandit/update'));
    t.equal(second.periods.length, 3);
    await batch(2, 30, (v, i) => (v === 'b' ? true : i % 3 !== 0));

    const res = await get(app, '/v1/experiments/mab/results');
    t.equal(res.statusCode, 200, res.body);
    const r = json<Results>(res);
    // The same figures by hand from the users: w_p = N_p / Σ N_q over the periods where the variant has users.
    const periods = [0, 1, 2];
    const N = periods.map((p) => users.filter((u) => u.period === p).length);
    t.same(
      r.bandit.periods.map((p) => p.exposed),
      N,
    );
    const est = (v: string) => {
      const present = periods.filter((p) => users.some((u) => u.period === p && u.variant === v));
      const total = present.reduce((s, p) => s + N[p]!, 0);
      let mean = 0;
      let variance = 0;
      for (const p of present) {
        const cell = users.filter((u) => u.period === p && u.variant === v);
        const rate = cell.filter((u) => u.converted).length / cell.length;
        const w = N[p]! / total;
        mean += w * rate;
        variance += (w * w * rate * (1 - rate)) / cell.length;
      }
      return { mean, variance };
    };
    const c = est('control');
    for (const v of VARIANTS) {
      const row = r.variants.find((x) => x.variant === v)!;
      const e = est(v);
      t.equal(row.exposed, byVariant(v).length);
      t.equal(row.converted, byVariant(v).filter((u) => u.converted).length);
      t.ok(Math.abs(row.conversionRate - e.mean) < 1e-12, `${v} reweighted rate`);
      if (v === 'control') continue;
      const d = e.mean - c.mean;
      const se = Math.sqrt(e.variance + c.variance);
      t.ok(Math.abs(row.absoluteLift! - d) < 1e-12, `${v} lift`);
      t.ok(Math.abs(row.zScore! - d / se) < 1e-9, `${v} z`);
      t.ok(Math.abs(row.ci.absolute![0] - (d - 1.959963984540054 * se)) < 1e-9, `${v} ci`);
    }
    // SRM against E_k = Σ_p N_p·weight_{k,p} (each period's weights from GET …/bandit), with the covariance
    // S = Σ_p N_p·(diag(w_p) − w_p·w_pᵀ) of one multinomial per period: χ² = dᵀS⁻¹d over control and a (2 × 2).
    const state = json<BanditState>(await get(app, '/v1/experiments/mab/bandit'));
    const w = (p: number, k: number) => state.periods[p]!.weights[k]!.weight;
    const expected = VARIANTS.map((_, k) => periods.reduce((s, p) => s + N[p]! * w(p, k), 0));
    const S = (i: number, j: number) =>
      periods.reduce((s, p) => s + N[p]! * ((i === j ? w(p, i) : 0) - w(p, i) * w(p, j)), 0);
    const d = [0, 1].map((k) => byVariant(VARIANTS[k]!).length - expected[k]!);
    const det = S(0, 0) * S(1, 1) - S(0, 1) * S(1, 0);
    const chi = (d[0]! * d[0]! * S(1, 1) - 2 * d[0]! * d[1]! * S(0, 1) + d[1]! * d[1]! * S(0, 0)) / det;
    t.ok(Math.abs(r.srm.chiSquare - chi) < 1e-9, `SRM χ² ${r.srm.chiSquare} vs ${chi}`);
    t.ok(Math.abs(r.srm.pValue - Math.exp(-chi / 2)) < 1e-9, 'χ² with 2 degrees of freedom');

    // Completed: conversions from completion on do not count, so the figures stay as they were (recomputed:
    // the refresh route skips the cache a slow first answer may have filled).
    t.equal((await post(app, '/v1/experiments/mab/winner', { variant: 'b' })).statusCode, 200);
    const was = json<Results>(await post(app, '/v1/experiments/mab/results/refresh'));
    for (const u of users.filter((x) => !x.converted).slice(0, 8))
      t.equal((await post(app, '/v1/experiments/mab/conversions', { userId: u.id })).statusCode, 200);
    const after = json<Results>(await post(app, '/v1/experiments/mab/results/refresh'));
    t.same(after.variants, was.variants, 'late conversions change no figure of a completed bandit');
    t.same(after.bandit, was.bandit);
  },
);

t.test('the schedule updates due bandits on one instance; exploration keeps weights equal', async (t) => {
  const app = await build(t);
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await bandit(app, 'due', { explorationHours: 0, minUsersPerVariant: 0, updateEveryMinutes: 15 });
  await bandit(app, 'exploring', { explorationHours: 48, minUsersPerVariant: 0, updateEveryMinutes: 15 });
  await bandit(app, 'later', { explorationHours: 0, minUsersPerVariant: 0, updateEveryMinutes: 120 });
  for (const key of ['due', 'exploring', 'later'])
    t.equal((await post(app, `/v1/experiments/${key}/start`, { startedAt: hourAgo })).statusCode, 200);
  // Two runs at once: one holds the lock, the other stands aside.
  const ran = await Promise.all([app.jobs.bandits.runOnce(), app.jobs.bandits.runOnce()]);
  t.same(ran.sort(), [false, true]);
  const due = json<BanditState>(await get(app, '/v1/experiments/due/bandit'));
  t.equal(due.periods.length, 2, 'the due bandit opened a period');
  t.ok(due.lastUpdateAt);
  t.equal(Date.parse(due.nextUpdateAt!) - Date.parse(due.lastUpdateAt!), 15 * 60_000);
  const exploring = json<BanditState>(await get(app, '/v1/experiments/exploring/bandit'));
  t.equal(exploring.periods.length, 1);
  t.ok(exploring.lastUpdateAt, 'a skipped update is still an update');
  t.ok(exploring.exploring);
  const later = json<BanditState>(await get(app, '/v1/experiments/later/bandit'));
  t.equal(later.lastUpdateAt, null, 'not due yet');
  // Right after an update nothing is due.
  await app.jobs.bandits.runOnce();
  t.equal(json<BanditState>(await get(app, '/v1/experiments/due/bandit')).periods.length, 2);
  const history = json<{ items: { action: string; actor: string }[] }>(
    await get(app, '/v1/experiments/due/history'),
  );
  t.match(history.items.at(-1), { action: 'bandit_updated', actor: 'scheduler' });
});

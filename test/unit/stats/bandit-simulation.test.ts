// Proof by simulation (fixed seeds, a few seconds) of the bandit's statistics; `npm run validate:stats` runs
// larger versions and prints the figures.
import t from 'tap';
import {
  banditDriftBias,
  banditFindsBest,
  banditSrmUniformity,
  pearsonSrm,
  periodSrm,
} from '../../support/bandit-sims.js';

const base = { arms: 5, periods: 10, minWeight: 0.01 };
const drift = (_arm: number, period: number) => 0.05 + (0.05 * period) / 9;

t.test(
  '5 equal arms, base rate drifting 5 % → 10 %: reweighting is unbiased, naive pooling is not',
  async (t) => {
    const r = banditDriftBias({ ...base, sims: 60, usersPerPeriod: 600, draws: 300, seed: 21, rate: drift });
    t.ok(
      Math.abs(r.reweighted.mean) < 3 * r.reweighted.se,
      `reweighted ${r.reweighted.mean} ± ${r.reweighted.se}`,
    );
    t.ok(r.naive.mean < -5 * r.naive.se, `naive ${r.naive.mean} ± ${r.naive.se}`);
  },
);

t.test('one better arm (12 % vs 10 %) ends with the largest weight', async (t) => {
  const share = banditFindsBest({
    ...base,
    sims: 40,
    usersPerPeriod: 1000,
    draws: 300,
    seed: 22,
    best: 2,
    rate: (k) => (k === 2 ? 0.12 : 0.1),
  });
  t.ok(share >= 0.85, `better arm largest in ${share}`);
});

t.test(
  'SRM p-values under correct bandit allocation are uniform (Pearson on the pooled weights is not)',
  async (t) => {
    const o = {
      ...base,
      sims: 400,
      usersPerPeriod: 500,
      draws: 200,
      seed: 25,
      rate: (k: number) => (k === 0 ? 0.14 : 0.1),
    };
    const critical = 1.36 / Math.sqrt(o.sims);
    const period = banditSrmUniformity(o, periodSrm);
    t.ok(period.ks < critical, `KS ${period.ks} < ${critical}`);
    t.ok(Math.abs(period.rejectRate - 0.05) < 0.025, `p < 0.05 in ${period.rejectRate}`);
    const pearson = banditSrmUniformity(o, pearsonSrm);
    t.ok(pearson.ks > period.ks, `Pearson KS ${pearson.ks}`);
  },
);

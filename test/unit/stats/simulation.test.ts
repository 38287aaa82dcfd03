// Proof by simulation (fixed seeds, a few seconds): error rates and coverage of the tests in src/stats.
// `npm run validate:stats` runs larger versions and prints the figures.
import t from 'tap';
import {
  aaFalsePositiveRate,
  ciCoverage,
  holmFamilyWiseError,
  sequentialPeeking,
} from '../../support/stat-sims.js';

t.test('A/A: the fixed-horizon z-test rejects 5 % ± 1 %', async (t) => {
  const rate = aaFalsePositiveRate({ sims: 4000, n: 2000, p: 0.1, seed: 11 });
  t.ok(Math.abs(rate - 0.05) <= 0.01, `false-positive rate ${rate}`);
});

t.test('95 % CIs cover the true difference 95 % ± 1 % (absolute and relative)', async (t) => {
  const c = ciCoverage({ sims: 4000, n: 3000, pControl: 0.1, pTreatment: 0.12, seed: 12 });
  t.ok(Math.abs(c.absolute - 0.95) <= 0.01, `absolute coverage ${c.absolute}`);
  t.ok(Math.abs(c.relative - 0.95) <= 0.01, `relative coverage ${c.relative}`);
});

t.test('sequential, peeked daily for 30 days, keeps the false-positive rate ≤ α', async (t) => {
  const r = sequentialPeeking({ sims: 400, days: 30, perDay: 500, pControl: 0.1, pTreatment: 0.1, seed: 13 });
  t.ok(r.rejectRate <= 0.05, `sequential false-positive rate under daily peeking ${r.rejectRate}`);
  t.ok(r.fixedRejectRate > 0.05, `while the fixed test peeked daily inflates it (${r.fixedRejectRate})`);
});

t.test(
  'sequential detects 10 % → 11.5 % with ≥ 60 % power at 500 users per arm per day over 30 days',
  async (t) => {
    const r = sequentialPeeking({
      sims: 200,
      days: 30,
      perDay: 500,
      pControl: 0.1,
      pTreatment: 0.115,
      seed: 14,
    });
    t.ok(r.rejectRate >= 0.6, `power ${r.rejectRate}`);
  },
);

t.test('Holm keeps the family-wise error ≤ α with 4 treatments', async (t) => {
  const fwer = holmFamilyWiseError({ sims: 3000, n: 2000, p: 0.1, treatments: 4, seed: 15 });
  t.ok(fwer <= 0.05, `family-wise error ${fwer}`);
});

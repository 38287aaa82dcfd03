// src/stats against R 4.2 (test/reference/stats-core.R → test/fixtures/reference/stats-core.json).
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { chiSquareSf } from '../../../src/stats/chi-square.js';
import { adjustPValues } from '../../../src/stats/corrections.js';
import { welchTest } from '../../../src/stats/means.js';
import { normalQuantile, normalTwoSidedP } from '../../../src/stats/normal.js';
import { compareProportions } from '../../../src/stats/proportions.js';
import { srmTest } from '../../../src/stats/srm.js';
import { studentTTwoSidedP, studentTUpperQuantile } from '../../../src/stats/student-t.js';
import type { ArmCounts, ArmMoments, Interval } from '../../../src/stats/types.js';

const ref = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/stats-core.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, number | number[] | ArmCounts | ArmMoments>[]>;

/** Relative tolerance, with exact zero expected exactly (or underflowing below 1e-300). */
function close(t: Test, actual: number | null | undefined, expected: number, tol: number, msg: string) {
  if (expected === 0) return t.ok(actual !== null && actual !== undefined && Math.abs(actual) < 1e-300, msg);
  const rel = Math.abs((actual ?? Number.NaN) - expected) / Math.abs(expected);
  t.ok(rel <= tol, `${msg}: got ${actual}, R ${expected} (relative error ${rel.toExponential(2)})`);
}

const ORDINARY = 1e-9;
const TAIL = 1e-6;

t.test('normal tails and quantiles', async (t) => {
  for (const r of ref.normalTwoSided!) {
    close(
      t,
      normalTwoSidedP(r.z as number),
      r.p as number,
      (r.z as number) > 8 ? TAIL : ORDINARY,
      `p(z=${r.z})`,
    );
  }
  t.equal(Number(normalTwoSidedP(9).toPrecision(3)), 2.26e-19, 'z = 9 → 2.26e-19, not 0');
  for (const r of ref.normalQuantile!) {
    if (r.p === 0.5) t.ok(Math.abs(normalQuantile(0.5)) < 1e-15, 'q(0.5) = 0');
    else close(t, normalQuantile(r.p as number), r.q as number, ORDINARY, `q(${r.p})`);
  }
});

t.test("Student's t tails and quantiles", async (t) => {
  for (const r of ref.studentTwoSided!) {
    close(
      t,
      studentTTwoSidedP(r.t as number, r.df as number),
      r.p as number,
      TAIL,
      `p(t=${r.t}, df=${r.df})`,
    );
  }
  for (const r of ref.studentUpperQuantile!) {
    close(
      t,
      studentTUpperQuantile(r.q as number, r.df as number),
      r.t as number,
      ORDINARY,
      `t(q=${r.q}, df=${r.df})`,
    );
  }
});

t.test('χ² upper tail', async (t) => {
  for (const r of ref.chiSquareUpper!) {
    close(t, chiSquareSf(r.x as number, r.df as number), r.p as number, TAIL, `Q(${r.x}, ${r.df})`);
  }
});

t.test('two proportions: z, p, unpooled CI, delta-method relative CI', async (t) => {
  for (const r of ref.proportions!) {
    const c = compareProportions(r.control as ArmCounts, r.treatment as ArmCounts, 0.05);
    const name = JSON.stringify([r.control, r.treatment]);
    close(t, c.zScore, r.z as number, ORDINARY, `z ${name}`);
    close(t, c.pValue, r.p as number, (r.p as number) < 1e-12 ? TAIL : ORDINARY, `p ${name}`);
    const ci = r.ciAbsolute as Interval;
    close(t, c.ci.absolute![0], ci[0], ORDINARY, `ci.absolute lo ${name}`);
    close(t, c.ci.absolute![1], ci[1], ORDINARY, `ci.absolute hi ${name}`);
    close(t, c.relativeLift, r.relative as number, ORDINARY, `relative ${name}`);
    const rel = r.ciRelative as Interval;
    close(t, c.ci.relative![0], rel[0], ORDINARY, `ci.relative lo ${name}`);
    close(t, c.ci.relative![1], rel[1], ORDINARY, `ci.relative hi ${name}`);
  }
});

t.test("Welch's t-test against R's t.test", async (t) => {
  for (const r of ref.welch!) {
    const w = welchTest(r.control as ArmMoments, r.treatment as ArmMoments, 0.05);
    close(t, w.tStatistic, r.t as number, ORDINARY, 't');
    close(t, w.degreesOfFreedom, r.df as number, ORDINARY, 'df');
    close(t, w.pValue, r.p as number, ORDINARY, 'p');
    close(t, w.ci.absolute![0], (r.ci as Interval)[0], ORDINARY, 'ci lo');
    close(t, w.ci.absolute![1], (r.ci as Interval)[1], ORDINARY, 'ci hi');
  }
});

t.test('SRM χ² against chisq.test', async (t) => {
  for (const r of ref.srm!) {
    const s = srmTest(r.observed as number[], r.weights as number[]);
    close(t, s.chiSquare, r.chiSquare as number, ORDINARY, `χ² ${r.observed}`);
    close(t, s.pValue, r.p as number, ORDINARY, `p ${r.observed}`);
    t.equal(s.mismatch, (r.p as number) < 0.001);
  }
});

t.test('Holm and Bonferroni against p.adjust', async (t) => {
  const adjust = ref.adjust as unknown as { p: number[]; holm: number[]; bonferroni: number[] };
  adjustPValues(adjust.p, 'holm').forEach((p, i) => close(t, p, adjust.holm[i]!, ORDINARY, `holm ${i}`));
  adjustPValues(adjust.p, 'bonferroni').forEach((p, i) =>
    close(t, p, adjust.bonferroni[i]!, ORDINARY, `bonf ${i}`),
  );
  t.same(adjustPValues([0.01, null, 0.04], 'holm'), [0.02, null, 0.04], 'nulls are outside the family');
  t.same(adjustPValues([0.01, 0.04], 'none'), [0.01, 0.04]);
});

import { proportionsTest } from '../../src/stats/proportions.js';
import { binomial, prng } from './simulate.js';

const ALPHA = 0.05;

/** One simulated two-arm test of n users per arm: the treatment's row of the fixed-horizon z-test. */
function simulatedTreatment(rand: () => number, n: number, pControl: number, pTreatment: number) {
  return proportionsTest({
    control: { n, conversions: binomial(rand, n, pControl) },
    treatments: [{ n, conversions: binomial(rand, n, pTreatment) }],
    alpha: ALPHA,
    correction: 'none',
  }).variants[1]!;
}

/** Share of A/A tests (same p in both arms) that the fixed z-test calls significant. */
export function aaFalsePositiveRate(o: { sims: number; n: number; p: number; seed: number }): number {
  const rand = prng(o.seed);
  let hits = 0;
  for (let s = 0; s < o.sims; s++) if (simulatedTreatment(rand, o.n, o.p, o.p).significant) hits++;
  return hits / o.sims;
}

/** How often the 95 % intervals contain the true absolute and relative differences. */
export function ciCoverage(o: {
  sims: number;
  n: number;
  pControl: number;
  pTreatment: number;
  seed: number;
}) {
  const rand = prng(o.seed);
  const trueAbs = o.pTreatment - o.pControl;
  const trueRel = o.pTreatment / o.pControl - 1;
  let abs = 0;
  let rel = 0;
  for (let s = 0; s < o.sims; s++) {
    const v = simulatedTreatment(rand, o.n, o.pControl, o.pTreatment);
    if (v.ci.absolute![0] <= trueAbs && trueAbs <= v.ci.absolute![1]) abs++;
    if (v.ci.relative![0] <= trueRel && trueRel <= v.ci.relative![1]) rel++;
  }
  return { absolute: abs / o.sims, relative: rel / o.sims };
}

/** Daily looks for `days` days: share of runs ever declared significant, sequential and (for contrast) fixed. */
export function sequentialPeeking(o: {
  sims: number;
  days: number;
  perDay: number;
  pControl: number;
  pTreatment: number;
  seed: number;
}) {
  const rand = prng(o.seed);
  let seqHits = 0;
  let fixedHits = 0;
  for (let s = 0; s < o.sims; s++) {
    let cn = 0;
    let cc = 0;
    let tn = 0;
    let tc = 0;
    let seq = false;
    let fixed = false;
    for (let d = 0; d < o.days && !(seq && fixed); d++) {
      cn += o.perDay;
      tn += o.perDay;
      cc += binomial(rand, o.perDay, o.pControl);
      tc += binomial(rand, o.perDay, o.pTreatment);
      const input = {
        control: { n: cn, conversions: cc },
        treatments: [{ n: tn, conversions: tc }],
        alpha: ALPHA,
        correction: 'none' as const,
      };
      seq ||= proportionsTest({ ...input, method: 'sequential' }).variants[1]!.significant === true;
      fixed ||= proportionsTest(input).variants[1]!.significant === true;
    }
    if (seq) seqHits++;
    if (fixed) fixedHits++;
  }
  return { rejectRate: seqHits / o.sims, fixedRejectRate: fixedHits / o.sims };
}

/** Share of all-null multi-treatment tests where Holm calls any treatment significant. */
export function holmFamilyWiseError(o: {
  sims: number;
  n: number;
  p: number;
  treatments: number;
  seed: number;
}) {
  const rand = prng(o.seed);
  let hits = 0;
  for (let s = 0; s < o.sims; s++) {
    const r = proportionsTest({
      control: { n: o.n, conversions: binomial(rand, o.n, o.p) },
      treatments: Array.from({ length: o.treatments }, () => ({
        n: o.n,
        conversions: binomial(rand, o.n, o.p),
      })),
      alpha: ALPHA,
      correction: 'holm',
    });
    if (r.variants.some((v) => v.significant === true)) hits++;
  }
  return hits / o.sims;
}

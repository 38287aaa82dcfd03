import { interval } from './proportions.js';
import { studentTTwoSidedP, studentTUpperQuantile } from './student-t.js';
import type { ArmMoments, Interval } from './types.js';

export interface WelchResult {
  meanDifference: number | null;
  standardError: number | null;
  tStatistic: number | null;
  degreesOfFreedom: number | null;
  pValue: number | null;
  significant: boolean | null;
  ci: { level: number; absolute: Interval | null };
  warnings: string[];
}

/**
 * Welch's t-test of treatment − control: SE = √(s_t²/n_t + s_c²/n_c), t = d/SE, Welch–Satterthwaite
 * ν = SE⁴ / ((s_t²/n_t)²/(n_t − 1) + (s_c²/n_c)²/(n_c − 1)), two-sided p; CI d ± t_{1−α/2, ν}·SE.
 */
export function welchTest(control: ArmMoments, treatment: ArmMoments, alpha: number): WelchResult {
  const out: WelchResult = {
    meanDifference: null,
    standardError: null,
    tStatistic: null,
    degreesOfFreedom: null,
    pValue: null,
    significant: null,
    ci: { level: 1 - alpha, absolute: null },
    warnings: [],
  };
  if (control.n === 0 || treatment.n === 0) {
    out.warnings.push('no_data: an arm has no observations (n = 0): the test is null');
    return out;
  }
  const d = treatment.mean - control.mean;
  out.meanDifference = d;
  const vt = treatment.variance / treatment.n;
  const vc = control.variance / control.n;
  const se = Math.sqrt(vt + vc);
  out.standardError = se;
  if (se === 0) {
    out.ci.absolute = [d, d];
    out.warnings.push(
      'zero_standard_error: both variances are 0: t and p-value are null, the interval is [d, d]',
    );
    return out;
  }
  if (control.n < 2 || treatment.n < 2) {
    out.warnings.push('too_few_observations: an arm has n = 1, so Welch degrees of freedom are undefined');
    return out;
  }
  // Written with shares of the variance so that tiny variances cannot underflow to 0/0.
  const st = vt / (vt + vc);
  const sc = vc / (vt + vc);
  const df = 1 / (st ** 2 / (treatment.n - 1) + sc ** 2 / (control.n - 1));
  const t = d / se;
  out.tStatistic = t;
  out.degreesOfFreedom = df;
  out.pValue = studentTTwoSidedP(t, df);
  out.significant = out.pValue < alpha;
  out.ci.absolute = interval(d, se, studentTUpperQuantile(alpha / 2, df));
  return out;
}

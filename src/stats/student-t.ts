import { studentTInvApprox } from './jstat.js';
import { normalQuantile, normalTwoSidedP } from './normal.js';
import { ibeta, lbeta } from './special.js';

/** Two-sided p-value of Student's t: I_{ν/(ν+t²)}(ν/2, ½), with the complement t²/(ν+t²) passed exactly. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(df)) return normalTwoSidedP(t);
  const t2 = t * t;
  return Math.min(1, ibeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5));
}

/** Density of Student's t in log space. */
function logDensity(t: number, df: number): number {
  return -0.5 * Math.log(df) - lbeta(df / 2, 0.5) - ((df + 1) / 2) * Math.log1p((t * t) / df);
}

/** Upper quantile t with P(T > t) = q (q ≤ ½): jstat's start, then Newton steps in log space. */
export function studentTUpperQuantile(q: number, df: number): number {
  if (!Number.isFinite(df)) return -normalQuantile(q);
  let t = -studentTInvApprox(q, df);
  if (!Number.isFinite(t) || t <= 0) t = -normalQuantile(q);
  for (let i = 0; i < 50; i++) {
    // f(t) = ln P(T > t) − ln q; f'(t) = −density / P(T > t).
    const upper = studentTTwoSidedP(t, df) / 2;
    const step = (Math.log(upper) - Math.log(q)) / Math.exp(logDensity(t, df) - Math.log(upper));
    const next = Math.max(t / 2, t + step);
    if (Math.abs(next - t) <= 1e-14 * Math.abs(t)) return next;
    t = next;
  }
  return t;
}

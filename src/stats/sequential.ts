import type { Interval } from './types.js';

/** N* at which the confidence sequence is tightest (GrowthBook's default tuning parameter). */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/** ρ that makes the sequence tightest at N = tuning: ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*. */
function rhoSquared(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / tuning;
}

export interface SequentialResult {
  pValue: number | null;
  ci: Interval | null;
}

/**
 * Asymptotic confidence sequence (Waudby-Smith et al. 2023, as in GrowthBook): with s² = SE²·N,
 * estimate ± s·√(2(Nρ² + 1)/(N²ρ²) · ln(√(Nρ² + 1)/α)), valid at every N simultaneously. The always-valid
 * p-value is the smallest α whose sequence (with the same ρ) excludes 0:
 * p = min(1, √(Nρ² + 1) · exp(−estimate²·N²ρ² / (2 s² (Nρ² + 1)))).
 */
export function sequentialInterval(
  estimate: number,
  standardError: number,
  n: number,
  alpha: number,
  tuning = DEFAULT_SEQUENTIAL_TUNING,
): SequentialResult {
  if (n <= 0 || !Number.isFinite(standardError)) return { pValue: null, ci: null };
  const r2 = rhoSquared(alpha, tuning);
  const s2 = standardError * standardError * n;
  const a = n * r2 + 1;
  if (s2 === 0) return { pValue: null, ci: [estimate, estimate] };
  const halfWidth = Math.sqrt(s2 * ((2 * a) / (n * n * r2)) * Math.log(Math.sqrt(a) / alpha));
  const logP = 0.5 * Math.log(a) - (estimate * estimate * n * n * r2) / (2 * s2 * a);
  return { pValue: Math.min(1, Math.exp(logP)), ci: [estimate - halfWidth, estimate + halfWidth] };
}

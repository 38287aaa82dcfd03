import { normalInvApprox } from './jstat.js';
import { erfc } from './special.js';

const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Φ(z) = ½·erfc(−z/√2), accurate in the lower tail. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** Two-sided p-value 2·P(Z > |z|) = erfc(|z|/√2): z = 9 gives 2.257e-19, not 0. */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / SQRT2));
}

/** Φ⁻¹(p) for p in (0, 1): jstat's approximation polished by Halley steps on the tail-accurate Φ. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  // 1 − p is exact for p ≥ ½, so solve in the lower tail where Φ keeps its digits.
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = normalInvApprox(p);
  for (let i = 0; i < 20; i++) {
    // Halley step on Φ(x) − p, scaled by the density to stay relative in the tail.
    const e = normalCdf(x) - p;
    const u = e * SQRT_2PI * Math.exp((x * x) / 2);
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break;
  }
  return x;
}

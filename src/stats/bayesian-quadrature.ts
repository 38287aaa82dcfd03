// P(T > C) and E[max(C − T, 0)] for Beta posteriors with large parameters, in time and memory that do not grow
// with the counts. D = C − T has the density g(d) = ∫ f_T(t) f_C(t + d) dt, so
//   P(T > C) = ∫_{d<0} g / ∫ g  and  E[max(C − T, 0)] = ∫_{d>0} d·g / ∫ g:
// positive integrands only (no difference of nearly equal terms, the loss of digits of the closed form), and the
// Beta normalising constants cancel in the ratios. Both densities are log-concave, hence so is g, and every
// integrand is unimodal: Gauss–Hermite around the inner mode, Gauss–Legendre on windows found by stepping out from
// the outer mode until the integrand has dropped by e^−45. Everything is in log space, relative to the peak.
import { gaussHermite, gaussLegendre } from './gauss.js';

export interface BetaPosterior {
  a: number;
  b: number;
}

const HERMITE = gaussHermite(16);
const LEGENDRE = gaussLegendre(8);
/** Each side of the outer mode is cut into panels at these fractions (finer near the mode, where the mass is). */
const PANELS = [0, 1 / 8, 1 / 4, 1 / 2, 1];
const DROP = 45;
const GROW = 1.5;
const MAX_STEPS = 90;

/**
 * ln of an unnormalised Beta(a, b) density, written around its mode x* = (a − 1)/(a + b − 2) in the offset δ = x − x*:
 * (a − 1)·ln1pmx(δ/x*) + (b − 1)·ln1pmx(−δ/y*) + κδ with y* = 1 − x* computed as (b − 1)/(a + b − 2) and
 * ln1pmx(u) = ln(1 + u) − u. At 10^12 users the plain (a − 1)·ln x + (b − 1)·ln(1 − x) cancels 12 digits; this form
 * is O(1) term by term. κ = (a − 1)/x* − (b − 1)/y* is 0 up to rounding of x*.
 */
class Density {
  readonly alpha: number;
  readonly beta: number;
  readonly mode: number;
  readonly comp: number;
  readonly kappa: number;
  /** Variance of the Gaussian with the same curvature at the mode. */
  readonly s2: number;

  constructor(p: BetaPosterior) {
    this.alpha = p.a - 1;
    this.beta = p.b - 1;
    const sum = this.alpha + this.beta;
    this.mode = this.alpha / sum;
    this.comp = this.beta / sum;
    this.kappa = this.alpha / this.mode - this.beta / this.comp;
    this.s2 = (this.alpha * this.beta) / (sum * sum * sum);
  }

  log(delta: number): number {
    if (!(delta > -this.mode && delta < this.comp)) return -Infinity;
    const u = delta / this.mode;
    const v = -delta / this.comp;
    return this.alpha * (Math.log1p(u) - u) + this.beta * (Math.log1p(v) - v) + this.kappa * delta;
  }

  /** First and second derivatives of log() (the first without the cancelling large terms). */
  slope(delta: number): number {
    return (
      (-this.alpha * delta) / (this.mode * (this.mode + delta)) -
      (this.beta * delta) / (this.comp * (this.comp - delta)) +
      this.kappa
    );
  }

  curvature(delta: number): number {
    const x = this.mode + delta;
    const y = this.comp - delta;
    return -this.alpha / (x * x) - this.beta / (y * y);
  }
}

class DifferenceDensity {
  private readonly c: Density;
  private readonly t: Density;
  /** x*_C − x*_T, the mode of D to first order. */
  readonly center: number;
  readonly scale: number;

  constructor(control: BetaPosterior, treatment: BetaPosterior) {
    this.c = new Density(control);
    this.t = new Density(treatment);
    this.center = this.c.mode - this.t.mode;
    this.scale = Math.sqrt(this.c.s2 + this.t.s2);
  }

  /** ln g(d) up to the constant: Gauss–Hermite around the mode of t ↦ f_T(t)·f_C(t + d), offsets from x*_T. */
  log(d: number): number {
    const e = d - this.center;
    const phi = (x: number): number => this.t.log(x) + this.c.log(x + e);
    // The inner integrand is log-concave: start from the product of the two Gaussian approximations, then Newton.
    let x = (-e * this.t.s2) / (this.t.s2 + this.c.s2);
    const lo = Math.max(-this.t.mode, -this.c.mode - e);
    const hi = Math.min(this.t.comp, this.c.comp - e);
    if (!(lo < hi)) return -Infinity;
    let curv = -1;
    for (let i = 0; i < 6; i++) {
      curv = this.t.curvature(x) + this.c.curvature(x + e);
      const step = (this.t.slope(x) + this.c.slope(x + e)) / curv;
      let next = x - step;
      // stay strictly inside the support
      if (!(next > lo)) next = (x + lo) / 2;
      if (!(next < hi)) next = (x + hi) / 2;
      if (Math.abs(next - x) <= 1e-12 * Math.sqrt(-1 / curv)) {
        x = next;
        break;
      }
      x = next;
    }
    curv = this.t.curvature(x) + this.c.curvature(x + e);
    const width = Math.SQRT2 * Math.sqrt(-1 / curv);
    const peak = phi(x);
    if (peak === -Infinity) return -Infinity;
    let sum = 0;
    for (let i = 0; i < HERMITE.nodes.length; i++) {
      const z = HERMITE.nodes[i]!;
      sum += HERMITE.weights[i]! * Math.exp(phi(x + width * z) - peak + z * z);
    }
    return peak + Math.log(width * sum);
  }
}

/** How far from x0 (toward dir, at most room) before h falls DROP below h(x0): within a factor GROW. */
function reach(h: (x: number) => number, x0: number, f0: number, dir: number, start: number, room: number) {
  if (!(room > 0)) return 0;
  const low = f0 - DROP;
  let step = Math.min(start, room);
  if (h(x0 + dir * step) < low) {
    for (let i = 0; i < MAX_STEPS; i++) {
      const next = step / GROW;
      if (h(x0 + dir * next) >= low) break;
      step = next;
    }
    return step;
  }
  for (let i = 0; i < MAX_STEPS && step < room; i++) {
    step = Math.min(step * GROW, room);
    if (h(x0 + dir * step) < low) break;
  }
  return step;
}

interface HalfIntegral {
  /** ln ∫ g and ln ∫ |d|·g over the half line. */
  logMass: number;
  logFirstMoment: number;
}

/** ∫ g and ∫ |d|·g over d > 0 (dir = 1) or d < 0 (dir = −1), d within (−1, 1). */
function half(g: DifferenceDensity, dir: number): HalfIntegral {
  const x0 = dir > 0 ? Math.max(0, g.center) : Math.min(0, g.center);
  const f0 = g.log(x0);
  if (!Number.isFinite(f0)) return { logMass: -Infinity, logFirstMoment: -Infinity };
  const h = (x: number) => g.log(x);
  // First steps: 5σ around the mode; from d = 0 away from a distant mode, where the Gaussian approximation falls
  // by DROP within about DROP·σ²/|centre|, start there rather than shrink from 5σ.
  const away = Math.abs(x0 - g.center);
  const start = Math.min(5 * g.scale, (DROP * g.scale * g.scale) / away);
  const sides = [
    dir * reach(h, x0, f0, dir, start, 1 - Math.abs(x0)),
    -dir * reach(h, x0, f0, -dir, 5 * g.scale, Math.abs(x0)),
  ];
  let mass = 0;
  let moment = 0;
  for (const len of sides) {
    for (let p = 1; len !== 0 && p < PANELS.length; p++) {
      const from = x0 + len * PANELS[p - 1]!;
      const halfWidth = (len * (PANELS[p]! - PANELS[p - 1]!)) / 2;
      for (let i = 0; i < LEGENDRE.nodes.length; i++) {
        const x = from + halfWidth * (1 + LEGENDRE.nodes[i]!);
        const w = Math.abs(halfWidth) * LEGENDRE.weights[i]! * Math.exp(h(x) - f0);
        mass += w;
        moment += w * Math.abs(x);
      }
    }
  }
  return { logMass: f0 + Math.log(mass), logFirstMoment: f0 + Math.log(moment) };
}

/** ln(e^x + e^y). */
const logAdd = (x: number, y: number): number =>
  x === -Infinity ? y : y === -Infinity ? x : Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y)));

/**
 * P(T > C) and E[max(C − T, 0)] by quadrature over the density of C − T. Sound for Beta parameters of a few
 * hundred and more (the caller uses the exact sum below that); most precise with both modes at most ½ (the caller
 * mirrors p ↦ 1 − p), where x*_C − x*_T keeps its digits.
 */
export function bayesianByQuadrature(
  control: BetaPosterior,
  treatment: BetaPosterior,
): { chance: number; loss: number } {
  const g = new DifferenceDensity(control, treatment);
  const pos = half(g, 1);
  const neg = half(g, -1);
  const logTotal = logAdd(pos.logMass, neg.logMass);
  return {
    chance: Math.min(1, Math.exp(neg.logMass - logTotal)),
    loss: Math.exp(pos.logFirstMoment - logTotal),
  };
}

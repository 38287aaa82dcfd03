import { type BetaPosterior, bayesianByQuadrature } from './bayesian-quadrature.js';
import { lgammaDelta } from './special.js';
import type { ArmCounts } from './types.js';

/**
 * While some Beta parameter is at most this, the exact sums are used: at most this many terms each (tens of
 * microseconds), no assumption on the shapes. Above it, quadrature, which the references show exact to 1e-10 from
 * parameters of about 30, so the switch has a wide margin.
 */
const EXACT_MAX_TERMS = 1000;

/** Beta(1, 1) prior updated with the arm's counts. */
const posterior = (arm: ArmCounts): BetaPosterior => ({
  a: 1 + arm.conversions,
  b: 1 + arm.n - arm.conversions,
});

/**
 * ln P(X > Y) for X ~ Beta(x.a, x.b), Y ~ Beta(y.a, y.b) with integer x.a (Evan Miller's closed form):
 * P(X > Y) = Σ_{i<x.a} B(y.a + i, x.b + y.b) / ((x.b + i)·B(1 + i, x.b)·B(y.a, y.b)).
 * ln term_0 = ln B(y.a, x.b + y.b) − ln B(y.a, y.b) = Δ(y.b, y.a) − Δ(x.b + y.b, y.a) = Δ(y.b, x.b) − Δ(y.a + y.b, x.b)
 * with Δ(x, k) = lnΓ(x + k) − lnΓ(x) taken without cancellation, grouped by the smaller step k (Δ loses k·ε when
 * x < 10); later terms follow by the exact ratio (y.a + i)(x.b + i) / ((y.a + y.b + x.b + i)(1 + i)).
 * A running log-sum-exp keeps it in constant memory and free of underflow.
 */
function logSum(x: BetaPosterior, y: BetaPosterior): number {
  let t =
    y.a <= x.b
      ? lgammaDelta(y.b, y.a) - lgammaDelta(x.b + y.b, y.a)
      : lgammaDelta(y.b, x.b) - lgammaDelta(y.a + y.b, x.b);
  let max = t;
  let sum = 1;
  for (let i = 1; i < x.a; i++) {
    t += Math.log(((y.a + i - 1) * (x.b + i - 1)) / ((y.a + y.b + x.b + i - 1) * i));
    if (t > max) {
      sum = sum * Math.exp(max - t) + 1;
      max = t;
    } else {
      sum += Math.exp(t - max);
    }
  }
  return max + Math.log(sum);
}

/** Terms of the cheaper of the two exact sums for P(X > Y). */
const cost = (x: BetaPosterior, y: BetaPosterior): number => Math.min(x.a, y.b);

/** P(X > Y) by the cheaper exact sum: over X's successes, or over Y's failures since P(X > Y) = P(1 − Y > 1 − X). */
function probGreater(x: BetaPosterior, y: BetaPosterior): number {
  return Math.exp(x.a <= y.b ? logSum(x, y) : logSum({ a: y.b, b: y.a }, { a: x.b, b: x.a }));
}

/**
 * P(X > Y) exactly, with the smaller of P(X > Y) and P(Y > X) summed directly (never 1 − tiny) whenever that sum
 * is short. At least one of the two is short whenever some parameter is at most EXACT_MAX_TERMS.
 */
function chanceExact(x: BetaPosterior, y: BetaPosterior): number {
  const reverseShort = cost(y, x) <= EXACT_MAX_TERMS + 1;
  if (cost(x, y) > EXACT_MAX_TERMS + 1) return 1 - probGreater(y, x);
  const up = probGreater(x, y);
  return up <= 0.5 || !reverseShort ? up : 1 - probGreater(y, x);
}

export interface BayesianResult {
  chanceToBeatControl: number | null;
  expectedLoss: number | null;
}

/**
 * Beta(1, 1) priors. chanceToBeatControl = P(p_t > p_c); expectedLoss = E[max(p_c − p_t, 0)]; both null when an arm
 * has no users (the posterior would be the prior: no data). With a Beta parameter at most EXACT_MAX_TERMS, the exact
 * sums, the loss as m_c·P(C⁺ > T) − m_t·P(C > T⁺) (m the posterior means, ⁺ one more success, Beta(a + 1, b));
 * otherwise quadrature over the density of p_c − p_t (bayesian-quadrature.ts). Time and memory are bounded
 * whatever the counts: at most a few thousand terms or a fixed number of quadrature nodes.
 */
export function bayesianProportions(control: ArmCounts, treatment: ArmCounts): BayesianResult {
  if (control.n === 0 || treatment.n === 0) return { chanceToBeatControl: null, expectedLoss: null };
  let c = posterior(control);
  let t = posterior(treatment);
  // C − T = (1 − T) − (1 − C): mirrored, the rates lie below ½, where the loss is small against the posterior means
  // (no cancellation in the exact form) and the quadrature's modes keep their digits.
  if (c.a / (c.a + c.b) + t.a / (t.a + t.b) > 1)
    [c, t] = [
      { a: t.b, b: t.a },
      { a: c.b, b: c.a },
    ];
  if (Math.min(c.a, c.b, t.a, t.b) > EXACT_MAX_TERMS) {
    const { chance, loss } = bayesianByQuadrature(c, t);
    return { chanceToBeatControl: chance, expectedLoss: loss };
  }
  const mc = c.a / (c.a + c.b);
  const mt = t.a / (t.a + t.b);
  const loss = mc * chanceExact({ a: c.a + 1, b: c.b }, t) - mt * chanceExact(c, { a: t.a + 1, b: t.b });
  return { chanceToBeatControl: chanceExact(t, c), expectedLoss: Math.max(0, loss) };
}

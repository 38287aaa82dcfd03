import { lgamma } from './special.js';
import type { ArmCounts } from './types.js';

interface BetaPosterior {
  a: number;
  b: number;
}

/** Beta(1, 1) prior updated with the arm's counts. */
const posterior = (arm: ArmCounts): BetaPosterior => ({
  a: 1 + arm.conversions,
  b: 1 + arm.n - arm.conversions,
});

/** ln Σ exp(x_i), stable for terms spanning hundreds of orders of magnitude. */
function logSumExp(xs: number[]): number {
  let max = -Infinity;
  for (const x of xs) if (x > max) max = x;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - max);
  return max + Math.log(sum);
}

/**
 * ln P(X > Y) for X ~ Beta(x.a, x.b), Y ~ Beta(y.a, y.b) with integer x.a (Evan Miller's closed form):
 * P(X > Y) = Σ_{i<x.a} B(y.a + i, x.b + y.b) / ((x.b + i)·B(1 + i, x.b)·B(y.a, y.b)).
 * Terms follow from the first by the exact ratio (y.a+i)(1+i+x.b)(x.b+i) / ((y.a+y.b+x.b+i)(1+i)(x.b+i+1)),
 * summed in log space, so nothing underflows and the cost is x.a logarithms.
 */
function logProbGreater(x: BetaPosterior, y: BetaPosterior): number {
  const logs = new Array<number>(x.a);
  // ln term_0 = ln B(y.a, x.b + y.b) − ln B(y.a, y.b) (the ln x.b and ln B(1, x.b) factors cancel)
  let t = lgamma(x.b + y.b) - lgamma(y.a + y.b + x.b) - lgamma(y.b) + lgamma(y.a + y.b);
  for (let i = 0; i < x.a; i++) {
    logs[i] = t;
    t += Math.log(
      ((y.a + i) * (1 + i + x.b) * (x.b + i)) / ((y.a + y.b + x.b + i) * (1 + i) * (x.b + i + 1)),
    );
  }
  return logSumExp(logs);
}

/** P(X > Y), from the cheaper of the two exact sums (over X's successes, or over Y's failures by symmetry). */
function probGreater(x: BetaPosterior, y: BetaPosterior): number {
  // P(X > Y) = P(1 − Y > 1 − X) with 1 − Y ~ Beta(y.b, y.a) and 1 − X ~ Beta(x.b, x.a).
  const direct = x.a <= y.b;
  return Math.exp(direct ? logProbGreater(x, y) : logProbGreater({ a: y.b, b: y.a }, { a: x.b, b: x.a }));
}

/** P(X > Y) accurate at both ends: the smaller of P(X > Y) and P(Y > X) is summed directly, never 1 − tiny. */
function chance(x: BetaPosterior, y: BetaPosterior): number {
  const up = probGreater(x, y);
  if (up <= 0.5) return up;
  return 1 - probGreater(y, x);
}

export interface BayesianResult {
  chanceToBeatControl: number | null;
  expectedLoss: number | null;
}

/**
 * Beta(1, 1) priors. chanceToBeatControl = P(p_t > p_c) (exact sum); expectedLoss = E[max(p_c − p_t, 0)]
 * = m_c·P(C⁺ > T) − m_t·P(C > T⁺), with m the posterior means and ⁺ one more success (Beta(a + 1, b)).
 */
export function bayesianProportions(control: ArmCounts, treatment: ArmCounts): BayesianResult {
  const c = posterior(control);
  const t = posterior(treatment);
  const mc = c.a / (c.a + c.b);
  const mt = t.a / (t.a + t.b);
  const loss = mc * chance({ a: c.a + 1, b: c.b }, t) - mt * chance(c, { a: t.a + 1, b: t.b });
  return { chanceToBeatControl: chance(t, c), expectedLoss: Math.max(0, loss) };
}

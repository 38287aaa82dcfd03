// Special functions written for accuracy in the far tails, where jstat's versions lose digits: jstat's gammaln
// is a short Lanczos series (about 1e-10 relative), which ruins log-beta differences for large arguments, and
// its erfc and ibeta continued fractions stop after a fixed, small number of terms.

const HALF_LN_2PI = 0.9189385332046728;
const EPS = 1e-16;
const TINY = 1e-300;

/** Stirling-series remainder δ(x) = lnΓ(x) − [(x − ½)ln x − x + ½ln 2π], for x ≥ 10. */
function stirlingRemainder(x: number): number {
  const x2 = x * x;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) / x;
}

/** lnΓ(x) for x > 0: Stirling series with remainder terms, shifted up to x ≥ 10 by the recurrence. */
function lgamma(x: number): number {
  if (x <= 0 || !Number.isFinite(x)) return Number.NaN;
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift += Math.log(y);
    y += 1;
  }
  return (y - 0.5) * Math.log(y) - y + HALF_LN_2PI + stirlingRemainder(y) - shift;
}

/**
 * lnΓ(x + k) − lnΓ(x) for x > 0, k ≥ 0, without the cancellation of two huge lnΓ values: for x ≥ 10, by Stirling,
 * (x − ½)·ln(1 + k/x) + k·ln(x + k) − k + δ(x + k) − δ(x), whose terms are at most k·ln(x + k).
 */
export function lgammaDelta(x: number, k: number): number {
  if (x < 10) return lgamma(x + k) - lgamma(x);
  return (
    (x - 0.5) * Math.log1p(k / x) + k * Math.log(x + k) - k + stirlingRemainder(x + k) - stirlingRemainder(x)
  );
}

/** ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** erfc(x) for x ≥ 0: Maclaurin series of erf below 2, Laplace continued fraction (modified Lentz) above. */
function erfcNonNegative(x: number): number {
  if (x < 2) {
    // erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < EPS * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < TINY ? TINY : d;
    c = x + a / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Complementary error function, accurate in relative terms far into the upper tail (until underflow). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x);
}

/** Continued fraction of the incomplete beta (Numerical Recipes' betacf, modified Lentz, no fixed small cap). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  d = Math.abs(d) < TINY ? TINY : d;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < TINY ? TINY : d;
    c = 1 + aa / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < TINY ? TINY : d;
    c = 1 + aa / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b), given x and its complement xc = 1 − x (passed separately so that a
 * caller who knows 1 − x exactly loses no digits). The prefactor is computed in log space.
 */
export function ibeta(x: number, xc: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (xc <= 0) return 1;
  const logFront = a * Math.log(x) + b * Math.log(xc) - lbeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, xc)) / b;
}

/** Regularized upper incomplete gamma Q(a, x): series for P below a + 1, Lentz continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFront = -x + a * Math.log(x) - lgamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 100_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < EPS * Math.abs(sum)) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logFront));
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = Math.abs(d) < TINY ? TINY : d;
    c = b + an / c;
    c = Math.abs(c) < TINY ? TINY : c;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(logFront) * h;
}

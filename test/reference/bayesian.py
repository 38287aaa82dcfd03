"""Reference values for src/stats/bayesian.ts, exact sums at 40 significant digits with mpmath.

Run `/usr/bin/python3 test/reference/bayesian.py` from the project root (Debian's python3-mpmath, and
python3-gmpy2 for speed: a few minutes); writes test/fixtures/reference/bayesian.json
(then `npx prettier --write` it, as for every committed file).

P(X > Y) for X ~ Beta(xa, xb) with integer xa is Evan Miller's exact sum
    sum_{i < xa} B(ya + i, xb + yb) / ((xb + i) B(1 + i, xb) B(ya, yb)).
Its terms are unimodal in i, so the sum starts at the largest term (found by ternary search on the log-gamma
form of a term) and walks both ways with the exact term ratio (ya + i)(xb + i) / ((ya + yb + xb + i)(1 + i))
until a term falls below 1e-45 of the largest: that is exact to the working precision and takes a few thousand
terms instead of 10^8. E[max(C - T, 0)] = m_c P(C+ > T) - m_t P(C > T+) (+ is one more success), which at 40
digits has digits to spare after any cancellation. Self-checks: P(T > C) + P(C > T) = 1 to 1e-30 for every case
(two different sums), loss(C, T) - loss(T, C) = m_c - m_t where it is cheap, and 2-D quadrature on small cases.
"""
import json
import math

from mpmath import beta, betainc, exp, log, loggamma, mp, mpf, quad

mp.dps = 40
CUT = mpf(10) ** -45


def log_term(xa, xb, ya, yb, i):
    return (loggamma(ya + i) + loggamma(xb + yb) - loggamma(ya + i + xb + yb) - log(xb + i)
            - loggamma(1 + i) - loggamma(xb) + loggamma(1 + i + xb)
            - loggamma(ya) - loggamma(yb) + loggamma(ya + yb))


def p_greater(xa, xb, ya, yb):
    """P(X > Y), X ~ Beta(xa, xb), Y ~ Beta(ya, yb), all integers."""
    lo, hi = 0, xa - 1
    while hi - lo > 2:
        m1, m2 = lo + (hi - lo) // 3, hi - (hi - lo) // 3
        if log_term(xa, xb, ya, yb, m1) < log_term(xa, xb, ya, yb, m2):
            lo = m1
        else:
            hi = m2
    peak = max(range(lo, hi + 1), key=lambda i: log_term(xa, xb, ya, yb, i))
    ratio = lambda i: mpf((ya + i) * (xb + i)) / ((ya + i + xb + yb) * (1 + i))
    total, term, i = mpf(1), mpf(1), peak
    while i + 1 < xa and term >= CUT:
        term *= ratio(i)
        total += term
        i += 1
    term, i = mpf(1), peak
    while i > 0 and term >= CUT:
        i -= 1
        term /= ratio(i)
        total += term
    return exp(log_term(xa, xb, ya, yb, peak)) * total


def loss(ca, cb, ta, tb):
    return mpf(ca) / (ca + cb) * p_greater(ca + 1, cb, ta, tb) - mpf(ta) / (ta + tb) * p_greater(ca, cb, ta + 1, tb)


def case(nc, xc, nt, xt, identity=False):
    ca, cb, ta, tb = 1 + xc, 1 + nc - xc, 1 + xt, 1 + nt - xt
    p = p_greater(ta, tb, ca, cb)
    q = p_greater(ca, cb, ta, tb)
    assert abs(p + q - 1) < mpf(10) ** -30, (nc, xc, nt, xt, p + q)
    lo = loss(ca, cb, ta, tb)
    if identity:
        other = loss(ta, tb, ca, cb)
        assert abs(lo - other - (mpf(ca) / (ca + cb) - mpf(ta) / (ta + tb))) < mpf(10) ** -30, (nc, xc, nt, xt)
    return {"control": {"n": nc, "conversions": xc}, "treatment": {"n": nt, "conversions": xt},
            "chanceToBeatControl": float(p), "expectedLoss": float(lo)}


def quad_check(nc, xc, nt, xt):
    """Independent check by 2-D quadrature (20 digits are plenty for a 1e-12 comparison, and much faster)."""
    ca, cb, ta, tb = 1 + xc, 1 + nc - xc, 1 + xt, 1 + nt - xt
    dens = lambda a, x, b: x ** (a - 1) * (1 - x) ** (b - 1) / beta(a, b)
    with mp.workdps(20):
        p = quad(lambda c: dens(ca, c, cb) * (1 - betainc(ta, tb, 0, c, regularized=True)), [0, 1])
        lo = quad(lambda c: dens(ca, c, cb) * quad(lambda t: (c - t) * dens(ta, t, tb), [0, c]), [0, 1])
    return float(p), float(lo)


SMALL = [(1000, 100, 1000, 130), (10, 1, 10, 9), (100, 50, 100, 50),
         (5000, 4000, 5000, 100), (20000, 1000, 20000, 1250), (100000, 5000, 100000, 6500),
         (1000000, 100000, 1000000, 102000), (1000000, 100000, 1000000, 110000), (2000, 30, 1800, 29),
         (1, 0, 1, 1), (50, 0, 70, 0), (10**9, 3, 10**9, 7)]


def grid():
    """n per arm 1e6, 1e7, 1e8; rates 0.1 % to 50 %; treatment z = 0 (equal), 1.5, -3 and 6 (tails)."""
    out = []
    for n in (10**6, 10**7, 10**8):
        for rate in (0.001, 0.01, 0.05, 0.2, 0.5):
            xc = round(n * rate)
            sd = math.sqrt(2 * n * rate * (1 - rate))
            for z in (0, 1.5, -3, 6):
                out.append((n, xc, n, xc + round(z * sd)))
    # 1 % vs 1.01 %, unequal arms, a lopsided split and a deep tail
    out += [(10**7, 100000, 10**7, 101000), (10**8, 1000000, 10**8, 1010000), (10**8, 2000000, 10**6, 21000),
            (10**6, 21000, 10**8, 2000000), (3 * 10**7, 150000, 10**8, 500000), (10**8, 10**7, 10**8, 10**7 + 30000)]
    return out


if __name__ == "__main__":
    out = [case(*c, identity=True) for c in SMALL]
    for c in [(10, 1, 10, 9), (1000, 100, 1000, 130), (100, 50, 100, 50)]:
        p, lo = quad_check(*c)
        ref = case(*c)
        assert abs(p - ref["chanceToBeatControl"]) < 1e-12, (c, p, ref)
        assert abs(lo - ref["expectedLoss"]) < 1e-12 * max(1, lo), (c, lo, ref)
    for c in grid():
        out.append(case(*c, identity=c[0] <= 10**7))
        print(json.dumps(out[-1]), flush=True)
    with open("test/fixtures/reference/bayesian.json", "w") as f:
        json.dump({"generator": "mpmath exact sums, 40 significant digits (test/reference/bayesian.py)",
                   "cases": out}, f, indent=1)
        f.write("\n")

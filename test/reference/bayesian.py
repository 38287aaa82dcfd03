"""Reference values for src/stats/bayesian.ts, at 60 significant digits with mpmath.

Run `python3 test/reference/bayesian.py` from the project root (Debian's python3-mpmath);
writes test/fixtures/reference/bayesian.json.
P(T > C) uses Evan Miller's exact sum; E[max(C - T, 0)] = m_c P(C+ > T) - m_t P(C > T+), which at
60 digits has no cancellation problem; both are checked against 2-D quadrature on small cases.
"""
import json
from mpmath import mp, mpf, beta, log, exp, quad, betainc

mp.dps = 60


def p_greater(xa, xb, ya, yb):
    """P(X > Y), X ~ Beta(xa, xb), Y ~ Beta(ya, yb), integer xa."""
    total = mpf(0)
    for i in range(int(xa)):
        total += exp(log(beta(ya + i, xb + yb)) - log(xb + i) - log(beta(1 + i, xb)) - log(beta(ya, yb)))
    return total


def chance(xa, xb, ya, yb):
    # use the cheaper exact sum (over X's successes, or over Y's failures by symmetry)
    return p_greater(xa, xb, ya, yb) if xa <= yb else p_greater(yb, ya, xb, xa)


def case(nc, xc, nt, xt):
    ca, cb, ta, tb = mpf(1 + xc), mpf(1 + nc - xc), mpf(1 + xt), mpf(1 + nt - xt)
    p = chance(ta, tb, ca, cb)
    loss = ca / (ca + cb) * chance(ca + 1, cb, ta, tb) - ta / (ta + tb) * chance(ca, cb, ta + 1, tb)
    return {"control": {"n": nc, "conversions": xc}, "treatment": {"n": nt, "conversions": xt},
            "chanceToBeatControl": float(p), "expectedLoss": float(loss)}


def quad_check(nc, xc, nt, xt):
    ca, cb, ta, tb = 1 + xc, 1 + nc - xc, 1 + xt, 1 + nt - xt
    dens = lambda a, x, b: x ** (a - 1) * (1 - x) ** (b - 1) / beta(a, b)
    p = quad(lambda c: dens(ca, c, cb) * (1 - betainc(ta, tb, 0, c, regularized=True)), [0, 1])
    loss = quad(lambda c: dens(ca, c, cb) * quad(lambda t: (c - t) * dens(ta, t, tb), [0, c]), [0, 1])
    return float(p), float(loss)


CASES = [(1000, 100, 1000, 130), (10, 1, 10, 9), (0, 0, 0, 0), (0, 0, 10, 3), (100, 50, 100, 50),
         (5000, 4000, 5000, 100), (20000, 1000, 20000, 1250), (100000, 5000, 100000, 6500),
         (1000000, 100000, 1000000, 102000), (1000000, 100000, 1000000, 110000), (2000, 30, 1800, 29)]

out = [case(*c) for c in CASES]
for c in [(10, 1, 10, 9), (1000, 100, 1000, 130), (100, 50, 100, 50)]:
    p, loss = quad_check(*c)
    ref = case(*c)
    assert abs(p - ref["chanceToBeatControl"]) < 1e-12, (c, p, ref)
    assert abs(loss - ref["expectedLoss"]) < 1e-12 * max(1, loss), (c, loss, ref)
with open("test/fixtures/reference/bayesian.json", "w") as f:
    json.dump({"generator": "mpmath, 60 significant digits", "cases": out}, f, indent=1)
print("\n".join(json.dumps(o) for o in out))

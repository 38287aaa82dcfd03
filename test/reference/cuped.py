"""Reference values for src/stats/cuped.ts, computed from raw per-user data with numpy and statsmodels.

Run `/usr/bin/python3 test/reference/cuped.py` from the project root (Debian's python3-numpy, python3-statsmodels);
writes test/fixtures/reference/cuped.json (then `npx prettier --write` it). Each case stores the sufficient
statistics the TypeScript takes (n, sum Y, sum Y^2, sum X, sum X^2, sum XY per variant) and the figures computed
here from the users themselves: theta from np.cov over both variants, adjusted means, per-variant variances from
np.var / np.cov with ddof=1, the z-test with statsmodels' normal distribution, and the relative lift's delta-method
variance in GrowthBook's form (gbstats frequentist_variance_relative_cuped).
"""
import json

import numpy as np
from statsmodels.stats.weightstats import _zstat_generic2

ALPHA = 0.05


def sums(y, x):
    return {"n": int(len(y)), "sumY": float(y.sum()), "sumY2": float((y * y).sum()), "sumX": float(x.sum()),
            "sumX2": float((x * x).sum()), "sumXY": float((x * y).sum())}


def reference(yc, xc, yt, xt):
    y_all, x_all = np.concatenate([yc, yt]), np.concatenate([xc, xt])
    var_x = np.var(x_all, ddof=1)
    theta = np.cov(y_all, x_all, ddof=1)[0, 1] / var_x if var_x > 0 else 0.0
    x_bar = x_all.mean()
    adj = lambda y, x: y.mean() - theta * (x.mean() - x_bar)
    var_adj = lambda y, x: (np.var(y, ddof=1) + theta**2 * np.var(x, ddof=1)
                            - 2 * theta * np.cov(y, x, ddof=1)[0, 1]) / len(y)
    d = adj(yt, xt) - adj(yc, xc)
    se = np.sqrt(var_adj(yc, xc) + var_adj(yt, xt))
    z, p = _zstat_generic2(d, se, "two-sided")
    q = 1.959963984540054
    raw = np.var(yc, ddof=1) / len(yc) + np.var(yt, ddof=1) / len(yt)
    mc, mt = yc.mean(), yt.mean()
    v_trt = (np.var(yt, ddof=1) + theta**2 * np.var(xt, ddof=1) - 2 * theta * np.cov(yt, xt, ddof=1)[0, 1]) / (
        len(yt) * mc**2)
    v_ctrl = (np.var(yc, ddof=1) * (mt / mc) ** 2 - 2 * theta * np.cov(yc, xc, ddof=1)[0, 1] * (mt / mc)
              + theta**2 * np.var(xc, ddof=1)) / (len(yc) * mc**2)
    se_rel = np.sqrt(v_trt + v_ctrl)
    rel = d / mc
    return {"theta": float(theta) if var_x > 0 else None,
            "adjustedMean": [float(adj(yc, xc)), float(adj(yt, xt))],
            "estimate": float(d), "standardError": float(se), "zScore": float(z), "pValue": float(p),
            "ci": [float(d - q * se), float(d + q * se)],
            "relative": {"estimate": float(rel), "standardError": float(se_rel),
                         "ci": [float(rel - q * se_rel), float(rel + q * se_rel)]},
            "varianceReduction": float(1 - se**2 / raw)}


def case(name, yc, xc, yt, xt):
    return {"name": name, "control": sums(yc, xc), "treatment": sums(yt, xt), "expected": reference(yc, xc, yt, xt)}


rng = np.random.default_rng(20261204)
out = []
# correlated normals, rho = 0.7, a lift of 0.3
for n_c, n_t, rho in [(200, 220, 0.7), (1000, 1000, 0.3), (50, 45, 0.95)]:
    xc, xt = rng.normal(10, 2, n_c), rng.normal(10, 2, n_t)
    yc = 5 + rho * (xc - 10) / 2 * 3 + np.sqrt(1 - rho**2) * 3 * rng.normal(size=n_c)
    yt = 5.3 + rho * (xt - 10) / 2 * 3 + np.sqrt(1 - rho**2) * 3 * rng.normal(size=n_t)
    out.append(case(f"normal n={n_c}/{n_t} rho={rho}", yc, xc, yt, xt))
# revenue-like: most users spend nothing before or after, spenders are log-normal and repeat
n = 800
xc = np.where(rng.random(n) < 0.3, rng.lognormal(3, 1, n), 0.0)
xt = np.where(rng.random(n) < 0.3, rng.lognormal(3, 1, n), 0.0)
yc = np.where(rng.random(n) < 0.5, 0.6 * xc, 0.0) + np.where(rng.random(n) < 0.1, rng.lognormal(3, 1, n), 0.0)
yt = np.where(rng.random(n) < 0.5, 0.7 * xt, 0.0) + np.where(rng.random(n) < 0.1, rng.lognormal(3, 1, n), 0.0)
out.append(case("revenue with zeros", yc, xc, yt, xt))
# activity days as the covariate (integers 0-14), conversions as the outcome
xc, xt = rng.integers(0, 15, 600).astype(float), rng.integers(0, 15, 650).astype(float)
yc = (rng.random(600) < 0.05 + 0.01 * xc).astype(float)
yt = (rng.random(650) < 0.06 + 0.01 * xt).astype(float)
out.append(case("binary outcome, activity days", yc, xc, yt, xt))
# a constant covariate: no adjustment is possible, the figures are the unadjusted ones
xc, xt = np.full(30, 2.0), np.full(40, 2.0)
yc, yt = rng.normal(1, 1, 30), rng.normal(1.5, 1, 40)
out.append(case("constant covariate", yc, xc, yt, xt))

with open("test/fixtures/reference/cuped.json", "w") as f:
    json.dump({"generator": "numpy + statsmodels from raw users (test/reference/cuped.py)", "alpha": ALPHA,
               "cases": out}, f, indent=1)
    f.write("\n")
print("\n".join(f"{c['name']}: {c['expected']['varianceReduction']:.4f}" for c in out))

"""Reference values for test/integration/experiment-growth-metrics.test.ts (SPEC §8.7 on hand-worked data).

Run `python3 test/reference/experiment-growth-metrics.py` from the project root (python3-scipy); it prints the
JSON the test pins (test/fixtures/reference/experiment-growth-metrics.json).

retention_d7: control 1 retained of 3 eligible, treatment 2 of 3 (two-proportion z-test, pooled SE, two-sided;
Beta(1,1) priors: P(p_t > p_c) and E[max(p_c - p_t, 0)] by numerical integration).
ltv (horizon 3 days): per eligible user, control [0, 20, 0, 0], treatment [30, 20, -5]: Welch's t-test.
"""
import json
import math

from scipy import integrate, stats


def proportions(c, n_c, t, n_t):
    pc, pt = c / n_c, t / n_t
    p = (c + t) / (n_c + n_t)
    se = math.sqrt(p * (1 - p) * (1 / n_c + 1 / n_t))
    z = (pt - pc) / se
    post_c, post_t = stats.beta(1 + c, 1 + n_c - c), stats.beta(1 + t, 1 + n_t - t)
    beat = integrate.dblquad(lambda y, x: post_t.pdf(y) * post_c.pdf(x), 0, 1, lambda x: x, lambda x: 1)[0]
    loss = integrate.dblquad(lambda y, x: (x - y) * post_t.pdf(y) * post_c.pdf(x), 0, 1, lambda x: 0,
                             lambda x: x)[0]
    return {"zScore": z, "pValue": 2 * stats.norm.sf(abs(z)), "chanceToBeatControl": beat, "expectedLoss": loss}


def welch(a, b):
    r = stats.ttest_ind(b, a, equal_var=False)
    return {
        "meanDifference": sum(b) / len(b) - sum(a) / len(a),
        "controlVariance": stats.tvar(a),
        "treatmentVariance": stats.tvar(b),
        "pValue": float(r.pvalue),
    }


print(json.dumps({
    "retention": proportions(1, 3, 2, 3),
    "ltv": welch([0, 20, 0, 0], [30, 20, -5]),
}, indent=2))

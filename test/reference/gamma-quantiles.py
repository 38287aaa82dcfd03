# Gamma quantiles for the forecast's sampler (src/stats/forecast.ts), by scipy.
# Run: python3 test/reference/gamma-quantiles.py > test/fixtures/reference/gamma-quantiles.json
import json

from scipy import stats

cases = [(1, 3), (2.5, 1), (5, 2), (101, 30), (1001, 250)]
out = []
for shape, rate in cases:
    g = stats.gamma(shape, scale=1 / rate)
    out.append(
        {
            "shape": shape,
            "rate": rate,
            "mean": g.mean(),
            "sd": g.std(),
            "quantiles": {str(q): g.ppf(q) for q in (0.1, 0.5, 0.9)},
        }
    )
print(json.dumps(out, indent=2))

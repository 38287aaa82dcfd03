import t from 'tap';
import { gaussHermite, gaussLegendre } from '../../../src/stats/gauss.js';

const sum = (xs: Float64Array, f: (x: number, i: number) => number) => xs.reduce((s, x, i) => s + f(x, i), 0);

t.test('Gauss–Legendre integrates polynomials of degree < 2n exactly on [−1, 1]', async (t) => {
  for (const n of [8, 12]) {
    const { nodes, weights } = gaussLegendre(n);
    t.ok(Math.abs(sum(weights, (w) => w) - 2) < 1e-14, 'weights sum to 2');
    // ∫ x^k = 2/(k + 1) for even k, 0 for odd k
    for (let k = 0; k < 2 * n; k++) {
      const exact = k % 2 === 0 ? 2 / (k + 1) : 0;
      t.ok(Math.abs(sum(nodes, (x, i) => weights[i]! * x ** k) - exact) < 1e-14, `n = ${n}, x^${k}`);
    }
  }
});

t.test('Gauss–Hermite integrates e^(−x²)·x^k exactly for k < 2n', async (t) => {
  const { nodes, weights } = gaussHermite(16);
  // ∫ e^(−x²) x^(2m) dx = Γ(m + ½) = (2m − 1)!!·√π / 2^m
  let moment = Math.sqrt(Math.PI);
  for (let k = 0; k < 32; k += 2) {
    const got = sum(nodes, (x, i) => weights[i]! * x ** k);
    t.ok(Math.abs(got / moment - 1) < 1e-12, `x^${k}: ${got} vs ${moment}`);
    t.ok(Math.abs(sum(nodes, (x, i) => weights[i]! * x ** (k + 1))) < 1e-10 * moment, `x^${k + 1} is odd`);
    moment *= (k + 1) / 2;
  }
});

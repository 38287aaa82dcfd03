// A small seeded generator and the samplers the bandit needs. Math.random cannot be seeded, and the bandit stores
// the seed of each update so that its P(best) can be replayed exactly.

/** Uniform in (0, 1) from a 32-bit seed: sfc32 (Chris Doty-Humphrey's small fast counter), seeded by splitmix32. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    // 32 random bits, shifted off 0: (t + ½)/2^32 lies in (0, 1)
    return (t + 0.5) / 4294967296;
  };
}

/** Standard normal by the Marsaglia polar method. */
export function normalSampler(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const out = spare;
      spare = null;
      return out;
    }
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * f;
        return u * f;
      }
    }
  };
}

/**
 * Gamma(shape, 1) for shape ≥ 1 by Marsaglia and Tsang (2000): d = shape − ⅓, c = 1/√(9d); accept d·v with
 * v = (1 + c·x)³, x standard normal, when ln u < x²/2 + d − d·v + d·ln v. Exact, about 1.05 normals per draw.
 */
export function gammaSample(shape: number, uniform: () => number, normal: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    if (Math.log(uniform()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) with a, b ≥ 1 as X/(X + Y), X ~ Gamma(a), Y ~ Gamma(b). */
export function betaSample(a: number, b: number, uniform: () => number, normal: () => number): number {
  const x = gammaSample(a, uniform, normal);
  return x / (x + gammaSample(b, uniform, normal));
}

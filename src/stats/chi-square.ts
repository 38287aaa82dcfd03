import { gammaQ } from './special.js';

/** Upper tail of χ²_k: Q(k/2, x/2), the regularized upper incomplete gamma (accurate deep in the tail). */
export function chiSquareSf(x: number, k: number): number {
  if (x <= 0) return 1;
  return Math.min(1, gammaQ(k / 2, x / 2));
}

/**
 * GrowthBook's published bucketing (hash v1/v2, getBucketRanges, chooseVariation), so that any GrowthBook SDK
 * given the same seed, weights and coverage puts a user in the same variant as the service.
 */
export type BucketRange = [number, number];

/** FNV-1a 32-bit over UTF-16 code units, with the shift-add form of the FNV prime GrowthBook uses. */
function fnv1a32(str: string): number {
  let hval = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    hval ^= str.charCodeAt(i);
    hval += (hval << 1) + (hval << 4) + (hval << 7) + (hval << 8) + (hval << 24);
  }
  return hval >>> 0;
}

/** v2: fnv1a32(String(fnv1a32(seed + value))) % 10000 / 10000; v1: fnv1a32(value + seed) % 1000 / 1000. */
export function hash(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}

/** GrowthBook's inNamespace: hash("__" + namespace, userId, 1) in [start, end). */
export function inNamespace(userId: string, namespace: [string, number, number]): boolean {
  const n = hash(`__${namespace[0]}`, userId, 1);
  return n !== null && n >= namespace[1] && n < namespace[2];
}

/** Whether two [start, end) ranges share a point: the test that keeps one namespace's experiments apart. */
export function rangesOverlap(a: BucketRange, b: BucketRange): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

export function getEqualWeights(n: number): number[] {
  return n <= 0 ? [] : new Array<number>(n).fill(1 / n);
}

/** Consecutive ranges on [0, 1), each as wide as coverage × weight; bad weights fall back to equal ones. */
export function getBucketRanges(
  numVariations: number,
  coverage = 1,
  weights?: number[] | null,
): BucketRange[] {
  const cov = coverage < 0 ? 0 : coverage > 1 ? 1 : coverage;
  const equal = getEqualWeights(numVariations);
  let w = weights ?? equal;
  if (w.length !== numVariations) w = equal;
  const total = w.reduce((sum, x) => sum + x, 0);
  if (total < 0.99 || total > 1.01) w = equal;
  let cumulative = 0;
  return w.map((x) => {
    const start = cumulative;
    cumulative += x;
    return [start, start + cov * x];
  });
}

/** Index of the first range with start <= n < end, or -1 (outside the experiment's traffic). */
export function chooseVariation(n: number, ranges: BucketRange[]): number {
  return ranges.findIndex(([start, end]) => n >= start && n < end);
}

export interface BucketingInput {
  hashSeed: string;
  userId: string;
  weights: number[];
  trafficPercent: number;
}

/** The variant index for a user, or -1 when the user falls outside trafficPercent. */
export function bucketUser({ hashSeed, userId, weights, trafficPercent }: BucketingInput): number {
  const total = weights.reduce((s, x) => s + x, 0);
  const ranges = getBucketRanges(
    weights.length,
    trafficPercent / 100,
    weights.map((x) => x / total),
  );
  return chooseVariation(hash(hashSeed, userId, 2) ?? -1, ranges);
}

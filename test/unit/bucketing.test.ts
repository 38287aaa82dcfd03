import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import {
  bucketUser,
  chooseVariation,
  getBucketRanges,
  getEqualWeights,
  hash,
  inNamespace,
} from '../../src/experiments/bucketing.js';

const CASES = new URL('../../../shared/conformance/growthbook-cases.json', import.meta.url);

interface Cases {
  hash: [string, string, number, number | null][];
  getBucketRange: [string, [number, number, number[] | null], [number, number][]][];
  chooseVariation: [string, number, [number, number][], number][];
  getEqualWeights: [number, number[]][];
  inNamespace: [string, string, [string, number, number], boolean][];
}

const floor8 = (x: number) => Math.floor(x * 1e8) / 1e8;

if (!existsSync(CASES)) {
  t.test(
    'GrowthBook conformance vectors',
    { skip: '../shared/conformance/growthbook-cases.json is absent (a lone clone)' },
    async () => {},
  );
} else {
  const cases = JSON.parse(readFileSync(CASES, 'utf8')) as Cases;

  t.test('hash', async (t) => {
    t.ok(cases.hash.length > 10);
    for (const [seed, value, version, expected] of cases.hash) {
      t.equal(
        hash(seed, value, version),
        expected,
        `hash(${JSON.stringify(seed)}, ${JSON.stringify(value)}, ${version})`,
      );
    }
  });

  t.test('getBucketRange', async (t) => {
    t.ok(cases.getBucketRange.length > 10);
    for (const [name, [n, coverage, weights], expected] of cases.getBucketRange) {
      const got = getBucketRanges(n, coverage, weights).map(([a, b]) => [floor8(a), floor8(b)]);
      t.same(
        got,
        expected.map(([a, b]) => [floor8(a), floor8(b)]),
        name,
      );
    }
  });

  t.test('chooseVariation', async (t) => {
    t.ok(cases.chooseVariation.length > 10);
    for (const [name, n, ranges, expected] of cases.chooseVariation) {
      t.equal(chooseVariation(n, ranges), expected, name);
    }
  });

  t.test('getEqualWeights', async (t) => {
    t.ok(cases.getEqualWeights.length > 3);
    for (const [n, expected] of cases.getEqualWeights) {
      t.same(getEqualWeights(n).map(floor8), expected.map(floor8), `n=${n}`);
    }
  });

  t.test('inNamespace', async (t) => {
    t.ok(cases.inNamespace.length > 10);
    for (const [name, userId, namespace, expected] of cases.inNamespace) {
      t.equal(inNamespace(userId, namespace), expected, name);
    }
  });
}

t.test('bucketUser normalises weights and applies traffic', async (t) => {
  // seed "seed" + "a" hashes to 0.0505 (published vector): first variant at 50/50, excluded at 10 % traffic
  // (ranges [0, 0.05) and [0.5, 0.55)).
  t.equal(bucketUser({ hashSeed: 'seed', userId: 'a', weights: [50, 50], trafficPercent: 100 }), 0);
  t.equal(bucketUser({ hashSeed: 'seed', userId: 'a', weights: [50, 50], trafficPercent: 10 }), -1);
  t.equal(bucketUser({ hashSeed: 'seed', userId: 'b', weights: [1, 3], trafficPercent: 100 }), 1); // 0.2696 ≥ 0.25
  t.equal(bucketUser({ hashSeed: 'seed', userId: 'b', weights: [3, 1], trafficPercent: 100 }), 0);
  t.equal(bucketUser({ hashSeed: 'seed', userId: 'a', weights: [50, 50], trafficPercent: 0 }), -1);
});

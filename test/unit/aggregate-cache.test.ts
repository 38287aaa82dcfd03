import t from 'tap';
import { AggregateCache } from '../../src/experiments/aggregate-cache.js';
import type { VariantAggregate } from '../../src/experiments/results-store.js';

const rows = (n: number): VariantAggregate[] => [
  { variant: 'control', assigned: n, exposed: n, converted: 0, valueSum: 0, valued: 0, valueVariance: null },
];
const slow = (n: number, ms: number) => () =>
  new Promise<VariantAggregate[]>((r) => setTimeout(() => r(rows(n)), ms));

t.test(
  'cheap aggregates are always fresh; expensive ones are kept for the TTL; refresh recomputes',
  async (t) => {
    // Costs far apart (0 vs 600 ms around a 500 ms threshold), so a busy machine cannot blur cheap and expensive.
    const cache = new AggregateCache({ ttlMs: 60_000, minCostMs: 500, maxEntries: 2 });
    t.equal((await cache.get('cheap', slow(1, 0))).rows[0]!.exposed, 1);
    t.equal((await cache.get('cheap', slow(2, 0))).rows[0]!.exposed, 2, 'not cached');
    const first = await cache.get('big', slow(10, 600));
    const second = await cache.get('big', slow(20, 600));
    t.equal(second.rows[0]!.exposed, 10, 'served from memory');
    t.equal(second.computedAt, first.computedAt, 'with the time it was computed');
    t.equal((await cache.get('big', slow(30, 600), true)).rows[0]!.exposed, 30, 'refresh recomputes');
    await cache.get('b2', slow(1, 600));
    await cache.get('b3', slow(1, 600));
    t.equal(
      (await cache.get('big', slow(40, 600))).rows[0]!.exposed,
      40,
      'bounded: the oldest entry was dropped',
    );
  },
);

t.test('a zero TTL never caches', async (t) => {
  const cache = new AggregateCache({ ttlMs: 0, minCostMs: 0, maxEntries: 10 });
  await cache.get('k', slow(1, 5));
  t.equal((await cache.get('k', slow(2, 5))).rows[0]!.exposed, 2);
});

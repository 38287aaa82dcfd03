import type { VariantAggregate } from './results-store.js';

export interface CachedAggregate<T = VariantAggregate[]> {
  rows: T;
  computedAt: Date;
}

export interface AggregateCacheOptions {
  /** How long an expensive aggregate may be served before it is computed again. */
  ttlMs: number;
  /** Only aggregates that took at least this long are kept: small experiments are always computed fresh. */
  minCostMs: number;
  /** Most entries kept (least recently used go first). */
  maxEntries: number;
}

/**
 * Per-variant aggregates of big experiments, kept for a short time so that results over millions of exposures
 * answer at once. Entries are bounded in number and age, and results always say when they were computed.
 */
export class AggregateCache<T = VariantAggregate[]> {
  private readonly entries = new Map<string, CachedAggregate<T>>();

  constructor(private readonly opts: AggregateCacheOptions) {}

  async get(key: string, compute: () => Promise<T>, fresh = false): Promise<CachedAggregate<T>> {
    const hit = this.entries.get(key);
    if (!fresh && hit && Date.now() - hit.computedAt.getTime() < this.opts.ttlMs) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const started = performance.now();
    const entry = { rows: await compute(), computedAt: new Date() };
    this.entries.delete(key);
    if (this.opts.ttlMs > 0 && performance.now() - started >= this.opts.minCostMs) {
      this.entries.set(key, entry);
      while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return entry;
  }
}

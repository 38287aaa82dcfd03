import { hash } from './bucketing.js';
import type { HoldoutDefinition, HoldoutStore } from './holdout-store.js';

export interface HoldoutSnapshot {
  /** Oldest first. */
  list: HoldoutDefinition[];
  byId: Map<number, HoldoutDefinition>;
}

/**
 * Holdout definitions for the assignment hot path, kept for `ttlMs` like experiment definitions: this instance's
 * changes invalidate them at once, other instances see a change within ttlMs. Concurrent misses share one query.
 */
export class HoldoutCache {
  private snapshot: { value: HoldoutSnapshot; at: number } | null = null;
  private loading: Promise<HoldoutSnapshot> | null = null;
  private generation = 0;

  constructor(
    private readonly store: HoldoutStore,
    private readonly ttlMs = 1000,
  ) {}

  get(): Promise<HoldoutSnapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < this.ttlMs)
      return Promise.resolve(this.snapshot.value);
    if (this.loading) return this.loading;
    const generation = this.generation;
    const load = this.store.definitions().then((list) => {
      const value = { list, byId: new Map(list.map((h) => [h.id, h])) };
      // A load that began before a change of this instance must not be kept as fresh.
      if (generation === this.generation) this.snapshot = { value, at: Date.now() };
      return value;
    });
    const pending: Promise<HoldoutSnapshot> = load.finally(() => {
      if (this.loading === pending) this.loading = null;
    });
    this.loading = pending;
    return pending;
  }

  invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.loading = null;
  }
}

/** The holdout a user belongs to: the oldest whose GrowthBook hash ("holdout:" + key, version 2) is below percent. */
export function userHoldout(userId: string, list: HoldoutDefinition[]): HoldoutDefinition | null {
  for (const h of list) if (hash(`holdout:${h.key}`, userId, 2)! < h.percent) return h;
  return null;
}

export const covers = (h: HoldoutDefinition, experimentId: number): boolean =>
  h.all || h.experimentIds.has(experimentId);

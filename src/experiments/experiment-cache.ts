import { LRUCache } from 'lru-cache';
import type { ExperimentStore } from './experiment-store.js';
import type { Experiment } from './types.js';

interface Entry {
  experiment: Experiment | null;
  at: number;
}

/**
 * Experiment definitions for the assignment hot path, kept for `ttlMs`. This instance's own changes invalidate
 * their entry at once; other instances see a change within ttlMs (1 s by default). Unknown keys are cached too, so
 * callers asking for an experiment that does not exist cost no query either. Loads are single-flight: when an entry
 * expires under load, the thousands of requests waiting on it share one query instead of each queueing its own
 * for a pool connection (which timed requests out at the pool's acquire timeout).
 */
export class ExperimentCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly loading = new Map<string, Promise<Experiment | null>>();
  private running: { list: Experiment[]; at: number } | null = null;
  private runningLoad: Promise<Experiment[]> | null = null;

  constructor(
    private readonly store: Pick<ExperimentStore, 'findByKeys' | 'listRunning'>,
    private readonly ttlMs = 1000,
    maxEntries = 10_000,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  private fresh(at: number): boolean {
    return Date.now() - at < this.ttlMs;
  }

  /** The experiments with these keys (absent keys are missing from the map). */
  async byKeys(keys: string[]): Promise<Map<string, Experiment>> {
    const found = new Map<string, Experiment | null>();
    const pending: [string, Promise<Experiment | null>][] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const e = this.entries.get(key);
      if (e && this.fresh(e.at)) found.set(key, e.experiment);
      else {
        const load = this.loading.get(key);
        if (load) pending.push([key, load]);
        else missing.push(key);
      }
    }
    if (missing.length > 0) {
      const query = this.store.findByKeys(missing);
      for (const key of missing) {
        const load = query.then((loaded) => loaded.get(key) ?? null);
        this.loading.set(key, load);
        pending.push([key, load]);
        const settle = (experiment: Experiment | null | undefined) => {
          // An invalidation while loading dropped this load: its answer may predate the change, so keep nothing.
          if (this.loading.get(key) !== load) return;
          this.loading.delete(key);
          if (experiment !== undefined) this.set(key, { experiment, at: Date.now() });
        };
        load.then(settle, () => settle(undefined));
      }
    }
    for (const [key, load] of pending) found.set(key, await load);
    const out = new Map<string, Experiment>();
    for (const key of keys) {
      const experiment = found.get(key);
      if (experiment) out.set(key, experiment);
    }
    return out;
  }

  async allRunning(): Promise<Experiment[]> {
    if (this.running && this.fresh(this.running.at)) return this.running.list;
    if (this.runningLoad) return this.runningLoad;
    const load = this.store.listRunning();
    this.runningLoad = load;
    const settle = (list: Experiment[] | undefined) => {
      if (this.runningLoad !== load) return;
      this.runningLoad = null;
      if (list) this.running = { list, at: Date.now() };
    };
    load.then(settle, () => settle(undefined));
    return load;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
    this.running = null;
    this.runningLoad = null;
  }

  private set(key: string, entry: Entry): void {
    this.entries.set(key, entry);
  }
}

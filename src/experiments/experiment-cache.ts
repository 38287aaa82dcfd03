import type { ExperimentStore } from './experiment-store.js';
import type { Experiment } from './types.js';

interface Entry {
  experiment: Experiment | null;
  at: number;
}

/**
 * Experiment definitions for the assignment hot path, kept for `ttlMs`. This instance's own changes invalidate
 * their entry at once; other instances see a change within ttlMs (1 s by default). Unknown keys are cached too, so
 * callers asking for an experiment that does not exist cost no query either.
 */
export class ExperimentCache {
  private readonly entries = new Map<string, Entry>();
  private running: { list: Experiment[]; at: number } | null = null;

  constructor(
    private readonly store: ExperimentStore,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

  private fresh(at: number): boolean {
    return Date.now() - at < this.ttlMs;
  }

  /** The experiments with these keys (absent keys are missing from the map). */
  async byKeys(keys: string[]): Promise<Map<string, Experiment>> {
    const out = new Map<string, Experiment>();
    const missing: string[] = [];
    for (const key of keys) {
      const e = this.entries.get(key);
      if (e && this.fresh(e.at)) {
        if (e.experiment) out.set(key, e.experiment);
      } else missing.push(key);
    }
    if (missing.length > 0) {
      const loaded = await this.store.findByKeys(missing);
      const at = Date.now();
      for (const key of missing) {
        const experiment = loaded.get(key) ?? null;
        this.set(key, { experiment, at });
        if (experiment) out.set(key, experiment);
      }
    }
    return out;
  }

  async allRunning(): Promise<Experiment[]> {
    if (this.running && this.fresh(this.running.at)) return this.running.list;
    const list = await this.store.listRunning();
    this.running = { list, at: Date.now() };
    return list;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
    this.running = null;
  }

  private set(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

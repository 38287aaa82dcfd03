import type { Knex } from 'knex';
import { ValidationError, AppError } from '../errors.js';
import { decodeCursor, encodeCursor } from './experiment-service.js';
import type { Holdout, HoldoutStore } from './holdout-store.js';

export interface NewHoldout {
  key: string;
  percent: number;
  experiments: 'all' | string[];
}

export const holdoutNotFound = (key: string) =>
  new AppError('holdout_not_found', `No holdout with key "${key}".`);

/**
 * Holdouts keep a share of users on control everywhere they cover, to measure what the shipped changes add up
 * to. Every change invalidates this instance's definitions at once (others within the cache's TTL).
 */
export class HoldoutService {
  constructor(
    private readonly knex: Knex,
    private readonly store: HoldoutStore,
    private readonly changed: () => void,
  ) {}

  async create(input: NewHoldout): Promise<Holdout> {
    await this.knex.transaction(async (trx) => {
      const keys = input.experiments === 'all' ? [] : [...new Set(input.experiments)];
      const ids = await this.store.experimentIds(keys, trx);
      const missing = input.experiments === 'all' ? [] : input.experiments.filter((k) => !ids.has(k));
      if (missing.length > 0) {
        const list = input.experiments as string[];
        throw new ValidationError(
          missing.map((k) => ({ path: `experiments.${list.indexOf(k)}`, message: `no experiment "${k}"` })),
        );
      }
      const id = await this.store.insert(
        {
          key: input.key,
          percent: input.percent,
          all: input.experiments === 'all',
          experimentIds: [...ids.values()],
        },
        trx,
      );
      if (id === null)
        throw new AppError('holdout_exists', `A holdout with key "${input.key}" already exists.`);
    });
    this.changed();
    return this.get(input.key);
  }

  async get(key: string): Promise<Holdout> {
    const [h] = await this.store.list({ key, limit: 1 });
    if (!h) throw holdoutNotFound(key);
    return h;
  }

  async list(q: { limit: number; cursor?: string }) {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await this.store.list({ after, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? encodeCursor(items[items.length - 1]!.key) : null;
    return { items, nextCursor };
  }

  /** Ends the holdout: its users' held-out rows go with it, so they are assigned normally on their next call. */
  async delete(key: string): Promise<void> {
    if (!(await this.store.delete(key))) throw holdoutNotFound(key);
    this.changed();
  }
}

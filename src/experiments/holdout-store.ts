import type { Knex } from 'knex';

/** What the assignment path needs of a holdout, oldest first. */
export interface HoldoutDefinition {
  id: number;
  key: string;
  percent: number;
  /** "all": every experiment, those created later too. */
  all: boolean;
  experimentIds: Set<number>;
}

export interface Holdout {
  id: number;
  key: string;
  percent: number;
  experiments: 'all' | string[];
  createdAt: Date;
}

interface HoldoutRow {
  id: number;
  key: string;
  percent: string | number;
  all_experiments: boolean;
  created_at: Date;
  experiment_keys: string[];
}

const toHoldout = (r: HoldoutRow): Holdout => ({
  id: r.id,
  key: r.key,
  percent: Number(r.percent),
  experiments: r.all_experiments ? 'all' : r.experiment_keys,
  createdAt: r.created_at,
});

export class HoldoutStore {
  constructor(private readonly knex: Knex) {}

  /** Inserts unless the key exists (null), covering these experiment ids (ignored for "all"). */
  async insert(
    h: { key: string; percent: number; all: boolean; experimentIds: number[] },
    trx: Knex,
  ): Promise<number | null> {
    const rows = (await trx('holdouts')
      .insert({ key: h.key, percent: h.percent, all_experiments: h.all })
      .onConflict('key')
      .ignore()
      .returning('id')) as { id: number }[];
    const id = rows[0]?.id;
    if (id === undefined) return null;
    if (!h.all && h.experimentIds.length > 0)
      await trx('holdout_experiments').insert(
        h.experimentIds.map((e) => ({ holdout_id: id, experiment_id: e })),
      );
    return id;
  }

  /** Experiment ids by key, for the keys that exist. */
  async experimentIds(keys: string[], trx: Knex): Promise<Map<string, number>> {
    const rows = (await trx('experiments').select('id', 'key').whereIn('key', keys)) as {
      id: number;
      key: string;
    }[];
    return new Map(rows.map((r) => [r.key, r.id]));
  }

  async list(opts: { after?: string; key?: string; limit: number }): Promise<Holdout[]> {
    const { rows } = (await this.knex.raw(
      `SELECT h.id, h.key, h.percent, h.all_experiments, h.created_at,
              coalesce(jsonb_agg(e.key ORDER BY e.key) FILTER (WHERE e.key IS NOT NULL), '[]'::jsonb) AS experiment_keys
         FROM holdouts h
         LEFT JOIN holdout_experiments he ON he.holdout_id = h.id
         LEFT JOIN experiments e ON e.id = he.experiment_id
        WHERE (:after::text IS NULL OR h.key > :after::text) AND (:key::text IS NULL OR h.key = :key::text)
        GROUP BY h.id
        ORDER BY h.key
        LIMIT :limit`,
      { after: opts.after ?? null, key: opts.key ?? null, limit: opts.limit },
    )) as { rows: HoldoutRow[] };
    return rows.map(toHoldout);
  }

  /** Deletes the holdout and (by cascade) its held-out users' assignments; false when there is none. */
  async delete(key: string): Promise<boolean> {
    const rows = (await this.knex('holdouts').where({ key }).delete().returning('id')) as { id: number }[];
    return rows.length > 0;
  }

  /** Every holdout, oldest first (a user under two belongs to the older one). */
  async definitions(): Promise<HoldoutDefinition[]> {
    const { rows } = (await this.knex.raw(
      `SELECT h.id, h.key, h.percent::float8 AS percent, h.all_experiments,
              coalesce(jsonb_agg(he.experiment_id) FILTER (WHERE he.experiment_id IS NOT NULL), '[]'::jsonb) AS ids
         FROM holdouts h
         LEFT JOIN holdout_experiments he ON he.holdout_id = h.id
        GROUP BY h.id
        ORDER BY h.id`,
    )) as { rows: { id: number; key: string; percent: number; all_experiments: boolean; ids: number[] }[] };
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      percent: r.percent,
      all: r.all_experiments,
      experimentIds: new Set(r.ids),
    }));
  }
}

import type { Knex } from 'knex';

export interface NamespaceExperiment {
  key: string;
  status: string;
  range: [number, number];
  startedAt: Date | null;
}

export interface Namespace {
  key: string;
  createdAt: Date;
  experiments: NamespaceExperiment[];
}

interface NamespaceRow {
  key: string;
  created_at: Date;
  experiments: {
    key: string;
    status: string;
    start: string | number;
    end: string | number;
    startedAt: string | null;
  }[];
}

export class NamespaceStore {
  constructor(private readonly knex: Knex) {}

  /** Inserts unless the key exists; false means a duplicate key. */
  async insert(key: string): Promise<boolean> {
    const rows = await this.knex('namespaces').insert({ key }).onConflict('key').ignore().returning('id');
    return rows.length > 0;
  }

  /** Namespaces by key, each with the experiments placed in it (one query). */
  async list(opts: { after?: string; keys?: string[]; limit: number }): Promise<Namespace[]> {
    const { rows } = (await this.knex.raw(
      `SELECT n.key, n.created_at,
              coalesce(jsonb_agg(jsonb_build_object('key', e.key, 'status', e.status, 'start', e.namespace_start,
                                                    'end', e.namespace_end, 'startedAt', e.started_at)
                                 ORDER BY e.namespace_start, e.key) FILTER (WHERE e.id IS NOT NULL),
                       '[]'::jsonb) AS experiments
         FROM namespaces n
         LEFT JOIN experiments e ON e.namespace_key = n.key
        WHERE (:after::text IS NULL OR n.key > :after::text) AND (:keys::text[] IS NULL OR n.key = ANY(:keys::text[]))
        GROUP BY n.id
        ORDER BY n.key
        LIMIT :limit`,
      { after: opts.after ?? null, keys: (opts.keys ?? null) as Knex.Value, limit: opts.limit },
    )) as { rows: NamespaceRow[] };
    return rows.map((r) => ({
      key: r.key,
      createdAt: r.created_at,
      experiments: r.experiments.map((e) => ({
        key: e.key,
        status: e.status,
        range: [Number(e.start), Number(e.end)],
        startedAt: e.startedAt === null ? null : new Date(e.startedAt),
      })),
    }));
  }
}

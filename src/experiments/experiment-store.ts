import type { Knex } from 'knex';
import type {
  BanditSettings,
  Experiment,
  ExperimentStatus,
  ExperimentType,
  HistoryEntry,
  Variant,
} from './types.js';

export interface ExperimentRow {
  id: number;
  key: string;
  name: string;
  description: string | null;
  hypothesis: string | null;
  status: ExperimentStatus;
  variants: Variant[];
  control_variant: string;
  target_metric: string;
  traffic_percent: string | number;
  hash_seed: string;
  namespace_key: string | null;
  namespace_start: string | number | null;
  namespace_end: string | number | null;
  type: ExperimentType;
  bandit: BanditSettings | null;
  bandit_period: number;
  bandit_weights: number[] | null;
  bandit_updated_at: Date | null;
  winner: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  stopped_at: Date | null;
  completed_at: Date | null;
}

export const EXPERIMENT_COLUMNS = [
  'id',
  'key',
  'name',
  'description',
  'hypothesis',
  'status',
  'variants',
  'control_variant',
  'target_metric',
  'traffic_percent',
  'hash_seed',
  'namespace_key',
  'namespace_start',
  'namespace_end',
  'type',
  'bandit',
  'bandit_period',
  'bandit_weights',
  'bandit_updated_at',
  'winner',
  'created_at',
  'updated_at',
  'started_at',
  'stopped_at',
  'completed_at',
] as const;

export function toExperiment(r: ExperimentRow): Experiment {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    hypothesis: r.hypothesis,
    status: r.status,
    variants: r.variants,
    controlVariant: r.control_variant,
    targetMetric: r.target_metric,
    trafficPercent: Number(r.traffic_percent),
    hashSeed: r.hash_seed,
    namespace:
      r.namespace_key === null
        ? null
        : { key: r.namespace_key, range: [Number(r.namespace_start), Number(r.namespace_end)] },
    type: r.type,
    bandit: r.bandit,
    banditState: { period: r.bandit_period, weights: r.bandit_weights, updatedAt: r.bandit_updated_at },
    winner: r.winner,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    completedAt: r.completed_at,
  };
}

export type NewExperiment = Omit<
  Experiment,
  | 'id'
  | 'status'
  | 'banditState'
  | 'winner'
  | 'createdAt'
  | 'updatedAt'
  | 'startedAt'
  | 'stoppedAt'
  | 'completedAt'
>;

/** Column values for the fields a create or patch may set. */
export type ExperimentChanges = Partial<NewExperiment>;

function toColumns(c: ExperimentChanges): Record<string, unknown> {
  const cols: Record<string, unknown> = {};
  if (c.key !== undefined) cols.key = c.key;
  if (c.name !== undefined) cols.name = c.name;
  if (c.description !== undefined) cols.description = c.description;
  if (c.hypothesis !== undefined) cols.hypothesis = c.hypothesis;
  if (c.variants !== undefined) cols.variants = JSON.stringify(c.variants);
  if (c.controlVariant !== undefined) cols.control_variant = c.controlVariant;
  if (c.targetMetric !== undefined) cols.target_metric = c.targetMetric;
  if (c.trafficPercent !== undefined) cols.traffic_percent = c.trafficPercent;
  if (c.hashSeed !== undefined) cols.hash_seed = c.hashSeed;
  if (c.type !== undefined) cols.type = c.type;
  if (c.bandit !== undefined) cols.bandit = c.bandit === null ? null : JSON.stringify(c.bandit);
  if (c.namespace !== undefined) {
    cols.namespace_key = c.namespace?.key ?? null;
    cols.namespace_start = c.namespace?.range[0] ?? null;
    cols.namespace_end = c.namespace?.range[1] ?? null;
  }
  return cols;
}

export class ExperimentStore {
  constructor(private readonly knex: Knex) {}

  /** Inserts unless the key exists; null means a duplicate key. */
  async insert(e: NewExperiment, trx: Knex = this.knex): Promise<Experiment | null> {
    const rows: ExperimentRow[] = await trx('experiments')
      .insert(toColumns(e))
      .onConflict('key')
      .ignore()
      .returning([...EXPERIMENT_COLUMNS]);
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  async findByKey(key: string, trx: Knex = this.knex, forUpdate = false): Promise<Experiment | null> {
    const q = trx('experiments')
      .select([...EXPERIMENT_COLUMNS])
      .where({ key })
      .first();
    const row = (await (forUpdate ? q.forUpdate() : q)) as ExperimentRow | undefined;
    return row ? toExperiment(row) : null;
  }

  async findByKeys(keys: string[]): Promise<Map<string, Experiment>> {
    const rows = (await this.knex('experiments')
      .select([...EXPERIMENT_COLUMNS])
      .whereIn('key', keys)) as ExperimentRow[];
    return new Map(rows.map((r) => [r.key, toExperiment(r)]));
  }

  async list(opts: { status?: ExperimentStatus; after?: string; limit: number }): Promise<Experiment[]> {
    const q = this.knex('experiments')
      .select([...EXPERIMENT_COLUMNS])
      .orderBy('key')
      .limit(opts.limit);
    if (opts.status) q.where('status', opts.status);
    if (opts.after !== undefined) q.where('key', '>', opts.after);
    return ((await q) as ExperimentRow[]).map(toExperiment);
  }

  async listRunning(): Promise<Experiment[]> {
    const rows = (await this.knex('experiments')
      .select([...EXPERIMENT_COLUMNS])
      .where('status', 'running')
      .orderBy('key')) as ExperimentRow[];
    return rows.map(toExperiment);
  }

  async update(
    id: number,
    changes: ExperimentChanges,
    extra: Record<string, unknown>,
    trx: Knex = this.knex,
  ): Promise<Experiment> {
    const rows: ExperimentRow[] = await trx('experiments')
      .where({ id })
      .update({ ...toColumns(changes), ...extra, updated_at: trx.fn.now() })
      .returning([...EXPERIMENT_COLUMNS]);
    return toExperiment(rows[0]!);
  }

  async delete(id: number, trx: Knex = this.knex): Promise<void> {
    await trx('experiments').where({ id }).delete();
  }

  /**
   * Whether the namespace exists, locking its row until the transaction ends: FOR UPDATE serialises the starts
   * within one namespace (across instances), FOR SHARE only keeps it from changing under a draft's edit.
   */
  async lockNamespace(key: string, trx: Knex, mode: 'update' | 'share'): Promise<boolean> {
    const q = trx('namespaces').select('id').where({ key }).first();
    return (await (mode === 'update' ? q.forUpdate() : q.forShare())) !== undefined;
  }

  /** A running or paused experiment of e's namespace (other than e) whose range overlaps e's, if any. */
  async findOverlapping(e: Experiment, trx: Knex): Promise<string | null> {
    if (!e.namespace) return null;
    const [start, end] = e.namespace.range;
    const row = (await trx('experiments')
      .select('key')
      .where({ namespace_key: e.namespace.key })
      .whereIn('status', ['running', 'paused'])
      .whereNot({ id: e.id })
      .where('namespace_start', '<', end)
      .where('namespace_end', '>', start)
      .orderBy('key')
      .first()) as { key: string } | undefined;
    return row?.key ?? null;
  }

  async addHistory(
    experimentKey: string,
    entry: Omit<HistoryEntry, 'at'>,
    trx: Knex = this.knex,
  ): Promise<void> {
    await trx('experiment_history').insert({
      experiment_key: experimentKey,
      action: entry.action,
      actor: entry.actor,
      details: JSON.stringify(entry.details),
    });
  }

  async history(experimentKey: string): Promise<HistoryEntry[]> {
    const rows = (await this.knex('experiment_history')
      .select('action', 'actor', 'at', 'details')
      .where({ experiment_key: experimentKey })
      .orderBy('id')) as HistoryEntry[];
    return rows;
  }
}

import { AppError } from '../errors.js';
import type { ConversionStore, NewConversion } from './conversion-store.js';
import type { ExperimentCache } from './experiment-cache.js';
import { experimentNotFound } from './experiment-service.js';

export interface ConversionInput {
  userId: string;
  metric?: string;
  value?: number;
  eventId?: string;
  occurredAt?: Date;
}

export type ConversionResult = { recorded: boolean; duplicate: boolean } | AppError;

const notAssigned = (key: string, userId: string) =>
  new AppError('not_assigned', `User "${userId}" has no assignment in "${key}".`);

/** Conversions are stored whenever the user is assigned; results decide which ones count (after exposure). */
export class ConversionService {
  constructor(
    private readonly experiments: ExperimentCache,
    private readonly conversions: ConversionStore,
  ) {}

  async record(key: string, input: ConversionInput): Promise<{ recorded: boolean; duplicate: boolean }> {
    const [result] = await this.recordMany([{ key, ...input }]);
    if (result instanceof AppError) throw result;
    return result!;
  }

  /**
   * Many conversions in one statement, each under the single call's rules; an unknown experiment or a missing
   * assignment is that conversion's error, not the batch's.
   */
  async recordMany(list: (ConversionInput & { key: string })[]): Promise<ConversionResult[]> {
    const found = await this.experiments.byKeys([...new Set(list.map((c) => c.key))]);
    const rows: NewConversion[] = [];
    const at: number[] = [];
    const now = new Date();
    list.forEach((c, i) => {
      const e = found.get(c.key);
      if (!e) return;
      at.push(i);
      rows.push({
        experimentId: e.id,
        metric: c.metric ?? e.targetMetric,
        userId: c.userId,
        eventId: c.eventId ?? null,
        value: c.value ?? null,
        occurredAt: c.occurredAt ?? now,
      });
    });
    // An error (and its stack trace) is built only for a conversion that fails, never up front for all of them.
    const out: ConversionResult[] = new Array(list.length);
    list.forEach((c, i) => {
      if (!found.has(c.key)) out[i] = experimentNotFound(c.key);
    });
    if (rows.length === 0) return out;
    const outcomes = await this.conversions.insertMany(rows);
    outcomes.forEach((o, k) => {
      const c = list[at[k]!]!;
      out[at[k]!] =
        o === 'not_assigned'
          ? notAssigned(c.key, c.userId)
          : { recorded: o === 'stored', duplicate: o !== 'stored' };
    });
    return out;
  }
}

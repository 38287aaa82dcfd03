import { ConflictError } from '../errors.js';
import type { AssignmentStore } from './assignment-store.js';
import type { ConversionStore } from './conversion-store.js';
import { experimentNotFound } from './experiment-service.js';

export interface ConversionInput {
  userId: string;
  metric?: string;
  value?: number;
  eventId?: string;
  occurredAt?: Date;
}

/** Conversions are stored whenever the user is assigned; results decide which ones count (after exposure). */
export class ConversionService {
  constructor(
    private readonly assignments: AssignmentStore,
    private readonly conversions: ConversionStore,
  ) {}

  async record(key: string, input: ConversionInput): Promise<{ recorded: boolean; duplicate: boolean }> {
    const [found] = await this.assignments.lookup(input.userId, [key]);
    if (!found) throw experimentNotFound(key);
    if (!found.assignment) {
      throw new ConflictError('not_assigned', `User "${input.userId}" has no assignment in "${key}".`);
    }
    const recorded = await this.conversions.insert({
      experimentId: found.experiment.id,
      metric: input.metric ?? found.experiment.targetMetric,
      userId: input.userId,
      eventId: input.eventId ?? null,
      value: input.value ?? null,
      occurredAt: input.occurredAt ?? new Date(),
    });
    return { recorded, duplicate: !recorded };
  }
}

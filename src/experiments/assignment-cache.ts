import type { StoredAssignment } from './assignment-store.js';

/**
 * Stored assignments by (experiment, user), least recently used dropped first. An assignment never changes once
 * stored (only its first exposure can move earlier, which this instance writes through), so serving it from memory
 * is exact, and it spares existing users a database round trip.
 */
export class AssignmentCache {
  private readonly entries = new Map<string, StoredAssignment>();

  constructor(private readonly maxEntries = 100_000) {}

  private static key(experimentId: number, userId: string): string {
    return `${experimentId}\u0000${userId}`;
  }

  get(experimentId: number, userId: string): StoredAssignment | undefined {
    const key = AssignmentCache.key(experimentId, userId);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(experimentId: number, userId: string, a: StoredAssignment): void {
    const key = AssignmentCache.key(experimentId, userId);
    this.entries.delete(key);
    this.entries.set(key, a);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

import { LRUCache } from 'lru-cache';
import type { StoredAssignment } from './assignment-store.js';

/**
 * Stored assignments by (experiment, user), least recently used dropped first. An assignment never changes once
 * stored (only its first exposure can move earlier, which this instance writes through), so serving it from memory
 * is exact, and it spares existing users a database round trip. (A Map evicting its oldest key cost 33 µs per new
 * user once full: its iterator walks every deleted slot at the front; lru-cache's list costs under 1 µs.)
 */
export class AssignmentCache {
  private readonly entries: LRUCache<string, StoredAssignment>;

  constructor(maxEntries = 100_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  private static key(experimentId: number, userId: string): string {
    return `${experimentId}\u0000${userId}`;
  }

  get(experimentId: number, userId: string): StoredAssignment | undefined {
    return this.entries.get(AssignmentCache.key(experimentId, userId));
  }

  set(experimentId: number, userId: string, a: StoredAssignment): void {
    this.entries.set(AssignmentCache.key(experimentId, userId), a);
  }
}

import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor } from './experiment-service.js';
import type { Namespace, NamespaceStore } from './namespace-store.js';

/** Namespaces keep experiments mutually exclusive: each takes a slice of the namespace's hash space. */
export class NamespaceService {
  constructor(private readonly store: NamespaceStore) {}

  async create(key: string): Promise<Namespace> {
    if (!(await this.store.insert(key)))
      throw new AppError('namespace_exists', `A namespace with key "${key}" already exists.`);
    const [created] = await this.store.list({ keys: [key], limit: 1 });
    return created!;
  }

  async list(q: { limit: number; cursor?: string }) {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await this.store.list({ after, limit: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    const nextCursor = rows.length > q.limit ? encodeCursor(items[items.length - 1]!.key) : null;
    return { items, nextCursor };
  }
}

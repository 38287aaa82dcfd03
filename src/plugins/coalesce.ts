import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Runs `compute` for `key`, or joins the identical computation already running on this instance when no write
     * has been answered since it started: fifty dashboards refreshing together cost one query, not fifty.
     */
    coalesce<T>(key: string, compute: () => Promise<T>): Promise<T>;
  }
}

/**
 * Single-flight for read-only analytics. A computation is shared only while it is running (nothing is kept after it
 * settles, so no answer is ever older than its own request), and only by requests that arrived before any write was
 * answered on this instance: a client that wrote and then reads gets a computation that started after its write.
 */
export default fp(
  async function coalesce(app: FastifyInstance) {
    let writes = 0;
    const running = new Map<string, { writes: number; promise: Promise<unknown> }>();
    // Counted before the answer is sent, so a read that follows it never joins an older computation.
    app.addHook('onSend', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') writes++;
    });
    app.decorate('coalesce', function <T>(key: string, compute: () => Promise<T>): Promise<T> {
      const current = running.get(key);
      if (current && current.writes === writes) return current.promise as Promise<T>;
      const entry = { writes, promise: compute() };
      running.set(key, entry);
      const done = () => {
        if (running.get(key) === entry) running.delete(key);
      };
      entry.promise.then(done, done);
      return entry.promise;
    });
  },
  { name: 'coalesce' },
);

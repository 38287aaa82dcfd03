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
 * Routes that never change what the coalesced analytics (`/v1/metrics/*`, over users, invites, clicks, activity and
 * revenue) read: experiments and their assignments, exposures and conversions, stats calculators, alerts, reports,
 * holdouts and namespaces. Every other write counts, including `/v1/events` and any route added later.
 */
const OTHER_DATA = /^\/v1\/(experiments|assignments|stats|alerts|reports|holdouts|namespaces)(\/|$)/;

/**
 * Single-flight for read-only analytics. A computation is shared only while it is running (nothing is kept after it
 * settles, so no answer is ever older than its own request), and only by requests that arrived before any write of
 * the data it reads was answered on this instance: a client that wrote and then reads gets a computation that
 * started after its write. Product back ends assigning users all day do not count as such writes, so dashboards
 * refreshing together still share their queries.
 */
export default fp(
  async function coalesce(app: FastifyInstance) {
    let writes = 0;
    const running = new Map<string, { writes: number; promise: Promise<unknown> }>();
    // Counted before the answer is sent, so a read that follows it never joins an older computation.
    app.addHook('onSend', async (request) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const route = request.routeOptions.url;
      if (route === undefined || !OTHER_DATA.test(route)) writes++;
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

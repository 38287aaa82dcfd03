import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { addRouteHook } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Runs `compute` for `key`, or joins the identical computation already running on this instance, or reuses a
     * recent expensive answer, as long as no write has been answered since it started: fifty dashboards refreshing
     * together cost one query, not fifty.
     */
    coalesce<T>(key: string, compute: () => Promise<T>): Promise<T>;
  }
}

export interface CoalesceOptions {
  /** How long an answer that took at least `minComputeMs` may be reused (0: never kept once it settled). */
  keepSeconds: number;
  /** Cheaper answers are always recomputed. */
  minComputeMs: number;
  /** Most answers kept; the oldest goes first. */
  maxKept: number;
}

/**
 * Routes that never change what the coalesced analytics (`/v1/metrics/*`, over users, invites, clicks, activity and
 * revenue) read: experiments and their assignments, exposures and conversions, stats calculators, alerts, reports,
 * holdouts and namespaces. Every other write counts, including `/v1/events` and any route added later.
 */
const OTHER_DATA = /^\/v1\/(experiments|assignments|stats|alerts|reports|holdouts|namespaces)(\/|$)/;

interface Entry {
  writes: number;
  startedAt: number;
  promise: Promise<unknown>;
}

/**
 * Single-flight and short reuse for read-only analytics. A computation is shared while it runs, and an answer that
 * was expensive (at least `minComputeMs`) is reused for `keepSeconds` after its computation started; either only by
 * requests that arrived before any write of the data it reads was answered on this instance, so a client that wrote
 * and then reads always gets a computation that started after its write. A reused answer echoes the window it was
 * computed for (`from`/`to`), so it is never presented as newer than it is. Product back ends assigning users all
 * day do not count as such writes, so dashboards refreshing together still share their queries.
 */
export default fp<CoalesceOptions>(
  async function coalesce(app: FastifyInstance, opts: CoalesceOptions) {
    let writes = 0;
    const running = new Map<string, Entry>();
    const kept = new Map<string, Entry>();
    const keepMs = opts.keepSeconds * 1000;
    // Counted before the answer is sent, so a read that follows it never joins an older computation. Only the routes
    // that write what the analytics read carry the hook (a callback hook: nothing per request elsewhere).
    const written = (_request: unknown, _reply: unknown, _payload: unknown, done: () => void) => {
      writes++;
      kept.clear();
      done();
    };
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.every((m) => m === 'GET' || m === 'HEAD') || OTHER_DATA.test(route.url)) return;
      addRouteHook(route, 'onSend', written);
    });
    app.decorate('coalesce', function <T>(key: string, compute: () => Promise<T>): Promise<T> {
      const now = performance.now();
      const current = running.get(key);
      if (current && current.writes === writes) return current.promise as Promise<T>;
      const recent = kept.get(key);
      if (recent) {
        if (recent.writes === writes && now - recent.startedAt < keepMs) return recent.promise as Promise<T>;
        kept.delete(key);
      }
      const promise = compute();
      const entry: Entry = { writes, startedAt: now, promise };
      running.set(key, entry);
      promise.then(
        () => {
          if (running.get(key) === entry) running.delete(key);
          const took = performance.now() - entry.startedAt;
          if (keepMs > 0 && took >= opts.minComputeMs && entry.writes === writes) {
            kept.delete(key);
            kept.set(key, entry);
            if (kept.size > opts.maxKept) kept.delete(kept.keys().next().value!);
          }
        },
        () => {
          if (running.get(key) === entry) running.delete(key);
        },
      );
      return promise;
    });
  },
  { name: 'coalesce' },
);

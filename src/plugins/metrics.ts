import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; events: Counter<'type' | 'outcome'> };
  }
}

export interface MetricsOptions {
  token?: string;
}

/** Prometheus metrics on a registry of this app's own (tests build many apps in one process). */
export default fp<MetricsOptions>(
  async function metrics(app: FastifyInstance, { token }) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = new Counter({
      name: 'liftoff_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    const latency = new Histogram({
      name: 'liftoff_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const events = new Counter({
      name: 'liftoff_events_total',
      help: 'Ingested events by type and outcome (stored, duplicate, rejected)',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'liftoff_db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const pool = app.db.knex.client.pool as
          { numUsed(): number; numFree(): number; numPendingAcquires(): number } | undefined;
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
      },
    });
    app.decorate('metrics', { registry, events });

    // Callback-style hook: it runs on every request, and an async hook costs a promise each time.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      done();
    });

    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (token && request.headers.authorization !== `Bearer ${token}`) {
        throw new AppError('unauthorized', 'Send METRICS_TOKEN as "Authorization: Bearer <token>".');
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'metrics', dependencies: ['db'] },
);

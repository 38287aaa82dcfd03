import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '../errors.js';
import { HttpMetrics } from './http-metrics.js';
import { addRouteHook } from './route-hooks.js';

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
    const http = new HttpMetrics([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
    for (const metric of http.metrics({
      requests: 'liftoff_http_requests_total',
      latency: 'liftoff_http_request_duration_seconds',
    })) {
      registry.registerMetric(metric);
    }
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

    // Per-route callback hooks that know their route (request.routeOptions builds an object on every read), with
    // plain counters (see HttpMetrics). Requests that match no route are counted by the application hook.
    app.addHook('onRoute', (route) => {
      const record = http.recorder(route.url);
      addRouteHook(route, 'onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
        record(request.method, reply.statusCode, reply.elapsedTime / 1000);
        done();
      });
    });
    const unmatched = http.recorder('unmatched');
    app.addHook('onResponse', (request, reply, done) => {
      if (request.is404) unmatched(request.method, reply.statusCode, reply.elapsedTime / 1000);
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

import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

export interface LoadSheddingOptions {
  /** Mean event-loop delay (ms) over a sample above which requests are shed; 0 turns the check off. */
  maxEventLoopDelayMs: number;
  /** Fraction of V8's heap limit above which requests are shed; 0 turns the check off. */
  maxHeapFraction: number;
  /** How often the process is measured (ms). */
  sampleIntervalMs?: number;
}

/** Seconds a shed client is asked to wait: about two samples, long enough for the pressure to be measured again. */
const RETRY_AFTER_SECONDS = 2;

/**
 * An overloaded instance answers 503 + Retry-After at once instead of queueing requests it cannot serve in time
 * (@fastify/under-pressure measures event-loop delay and heap every sample). A load balancer then sends the retries to
 * another instance. The health probes are never shed: liveness must not flap under load, and readiness reports the
 * database, not the load.
 */
export default fp(
  async function loadShedding(app: FastifyInstance, opts: LoadSheddingOptions) {
    const heapLimit = getHeapStatistics().heap_size_limit;
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelayMs,
      maxHeapUsedBytes: opts.maxHeapFraction > 0 ? Math.floor(heapLimit * opts.maxHeapFraction) : 0,
      sampleInterval: opts.sampleIntervalMs ?? 1000,
      pressureHandler: (request, _reply, type, value) => {
        if (request.url.startsWith('/health/')) return undefined;
        request.log.warn({ type, value }, 'shedding load');
        // A rejected promise reaches the error handler, which answers problem+json.
        return Promise.reject(
          new AppError(
            'service_unavailable',
            'This instance is overloaded; retry shortly (another instance may answer at once).',
            undefined,
            { 'retry-after': String(RETRY_AFTER_SECONDS) },
          ),
        );
      },
    });
  },
  { name: 'load-shedding' },
);

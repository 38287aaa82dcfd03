import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKey } from '../config.js';
import { AppError } from '../errors.js';
import { bearerSecret, keyMatcher } from './auth.js';

export interface RateLimitOptions {
  /** Requests per minute per key (per client IP without a valid key); 0 turns the limit off. */
  perMinute: number;
  keys: ApiKey[];
}

/**
 * A per-minute budget for each valid API key, and one per client IP for every request without a valid key, so that
 * guessing keys (each failed attempt a 401) is limited too. Registered before auth, so it counts requests that auth
 * then refuses. Routes with `config.rateLimit: false` (the health probes) are exempt; unknown routes count.
 */
export default fp<RateLimitOptions>(
  async function rateLimitPlugin(app: FastifyInstance, { perMinute, keys }) {
    if (perMinute <= 0) return;
    const find = keyMatcher(keys);
    // Not per route (route hooks run after auth's): one application hook, added before auth adds its own.
    await app.register(rateLimit, {
      global: false,
      max: perMinute,
      allowList: (req: FastifyRequest) => req.routeOptions.config.rateLimit === false,
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => {
        const secret = bearerSecret(req.headers.authorization);
        const key = secret === undefined ? undefined : find(secret);
        return key ? `key:${key.id}` : `ip:${req.ip}`;
      },
      errorResponseBuilder: (_req, ctx) =>
        new AppError(
          'rate_limited',
          `Rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}.`,
          undefined,
          { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) },
        ),
    });
    app.addHook('onRequest', app.rateLimit());
  },
  { name: 'rate-limit' },
);

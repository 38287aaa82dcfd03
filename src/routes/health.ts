import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { migrationsCurrent } from '../db/migrate.js';

const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()).optional(),
});

export default async function healthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/health/live',
    {
      config: { rateLimit: false },
      schema: { tags: ['health'], summary: 'The process is up', response: { 200: healthSchema } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'The database is reachable and its migrations are current',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        await app.db.knex.raw('SELECT 1');
        checks.database = 'ok';
        checks.migrations = (await migrationsCurrent(app.db.knex)) ? 'ok' : 'pending';
      } catch (err) {
        checks.database = `unreachable: ${err instanceof Error ? err.message : String(err)}`;
      }
      const ok = Object.values(checks).every((v) => v === 'ok') && checks.migrations === 'ok';
      if (!ok) reply.code(503).header('retry-after', '5');
      return { status: ok ? ('ok' as const) : ('unavailable' as const), checks };
    },
  );
}

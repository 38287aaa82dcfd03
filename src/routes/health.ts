import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { migrationsCurrent } from '../db/migrate.js';

const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.string()).optional(),
});

/** Reachable, and how far behind the primary its replay is (0 when it has replayed all it received). */
async function replicaChecks(knex: Knex): Promise<Record<string, string>> {
  try {
    const { rows } = (await knex.raw(
      `SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
              ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END AS lag`,
    )) as { rows: { lag: number | null }[] };
    return { replica: 'ok', replicaLagSeconds: (rows[0]?.lag ?? 0).toFixed(1) };
  } catch (err) {
    return { replica: `unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

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
        description:
          'With DATABASE_READ_URL, `replica` and `replicaLagSeconds` report the analytics replica too; it does not ' +
          'decide readiness (writes and assignments do not need it; analytics answer 503 while it is down).',
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
      const ok = checks.database === 'ok' && checks.migrations === 'ok';
      if (app.db.replica) Object.assign(checks, await replicaChecks(app.db.replica.knex));
      if (!ok) reply.code(503).header('retry-after', '5');
      return { status: ok ? ('ok' as const) : ('unavailable' as const), checks };
    },
  );
}

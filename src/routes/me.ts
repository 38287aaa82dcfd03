import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../schemas/common.js';
import { meSchema } from '../schemas/me.js';

export default async function meRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/me',
    {
      config: { scope: 'any' },
      schema: {
        tags: ['auth'],
        summary: 'What the presented key may do (any valid key)',
        description:
          'scope: ingest, read or admin; keyId: the identifier written in logs and audit trails (null when ' +
          'authentication is off). With API_KEYS unset, authEnabled is false and every request acts as admin.',
        response: { 200: meSchema, ...errorResponses(401) },
      },
    },
    async (req) => ({
      scope: req.scope,
      keyId: app.authEnabled ? req.actor : null,
      authEnabled: app.authEnabled,
    }),
  );
}

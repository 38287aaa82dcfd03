import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../schemas/common.js';
import { activityBody, activitySchema, revenueBody, revenueSchema, userParams } from '../schemas/viral.js';

const date = (s: string | undefined) => (s === undefined ? undefined : new Date(s));

const tags = ['viral ingestion'];
const ingest = { scope: 'ingest' as const };

export default async function growthIngestRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { growth } = app.services;

  app.post(
    '/users/:userId/activity',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'The user was active (a session, a lesson); stored per (user, time)',
        description:
          'An identical replay is a duplicate. Without occurredAt the activity is stamped on receipt. Unknown user: ' +
          '404 user_not_found; a time before the signup or in the future: 400.',
        params: userParams,
        body: activityBody,
        response: { 200: activitySchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const a = await growth.activity(req.params.userId, date(req.body.occurredAt));
      return { ...a, occurredAt: a.occurredAt.toISOString() };
    },
  );

  app.post(
    '/users/:userId/revenue',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'Money from the user (refunds are negative amounts)',
        description:
          'eventId is unique across all revenue events: the same eventId with other fields is 409 event_conflict, an ' +
          'identical one (occurredAt may be omitted) a duplicate. currency, when given, must equal REVENUE_CURRENCY ' +
          '(default USD). Unknown user: 404 user_not_found; a time before the signup or in the future: 400.',
        params: userParams,
        body: revenueBody,
        response: { 200: revenueSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const r = await growth.revenue(req.params.userId, {
        ...req.body,
        occurredAt: date(req.body.occurredAt),
      });
      return { ...r, occurredAt: r.occurredAt.toISOString() };
    },
  );
}

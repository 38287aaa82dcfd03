import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Holdout } from '../experiments/holdout-store.js';
import { errorResponses } from '../schemas/common.js';
import {
  createHoldoutBody,
  holdoutListSchema,
  holdoutParams,
  holdoutResultsQuery,
  holdoutResultsSchema,
  holdoutSchema,
  listHoldoutsQuery,
} from '../schemas/holdouts.js';

const holdoutOut = (h: Holdout) => ({
  key: h.key,
  percent: h.percent,
  experiments: h.experiments,
  createdAt: h.createdAt.toISOString(),
});

const tags = ['holdouts'];

export default async function holdoutRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { holdouts, holdoutResults } = app.services;

  app.post(
    '/holdouts',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Create a holdout: a share of users kept on control in every experiment it covers',
        body: createHoldoutBody,
        response: { 201: holdoutSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(holdoutOut(await holdouts.create(req.body))),
  );

  app.get(
    '/holdouts',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List holdouts, by key',
        querystring: listHoldoutsQuery,
        response: { 200: holdoutListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const page = await holdouts.list(req.query);
      return { items: page.items.map(holdoutOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/holdouts/:key',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        params: holdoutParams,
        response: { 200: holdoutSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => holdoutOut(await holdouts.get(req.params.key)),
  );

  app.delete(
    '/holdouts/:key',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'End a holdout: its users are assigned normally on their next call',
        params: holdoutParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await holdouts.delete(req.params.key);
      return reply.code(204).send();
    },
  );

  app.get(
    '/holdouts/:key/results',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Held-out users (as control) against treated users of the covered experiments',
        params: holdoutParams,
        querystring: holdoutResultsQuery,
        response: { 200: holdoutResultsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const r = await holdoutResults.results(req.params.key, req.query);
      return { ...r, computedAt: r.computedAt.toISOString() };
    },
  );
}

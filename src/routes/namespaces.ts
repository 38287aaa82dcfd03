import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Namespace } from '../experiments/namespace-store.js';
import { errorResponses, toIso } from '../schemas/common.js';
import {
  createNamespaceBody,
  listNamespacesQuery,
  namespaceListSchema,
  namespaceSchema,
} from '../schemas/namespaces.js';

const namespaceOut = (n: Namespace) => ({
  key: n.key,
  createdAt: n.createdAt.toISOString(),
  experiments: n.experiments.map((e) => ({ ...e, startedAt: toIso(e.startedAt) })),
});

const tags = ['namespaces'];

export default async function namespaceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.namespaces;

  app.post(
    '/namespaces',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Create a namespace: experiments placed in it on disjoint ranges never share a user',
        body: createNamespaceBody,
        response: { 201: namespaceSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(namespaceOut(await svc.create(req.body.key))),
  );

  app.get(
    '/namespaces',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List namespaces, by key, with the ranges their experiments occupy',
        querystring: listNamespacesQuery,
        response: { 200: namespaceListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const page = await svc.list(req.query);
      return { items: page.items.map(namespaceOut), nextCursor: page.nextCursor };
    },
  );
}

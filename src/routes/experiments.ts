import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { banditMetric } from '../experiments/bandit-settings.js';
import type { Experiment } from '../experiments/types.js';
import { errorResponses, toIso } from '../schemas/common.js';
import {
  createExperimentBody,
  experimentListSchema,
  experimentSchema,
  historySchema,
  keyParams,
  listExperimentsQuery,
  patchExperimentBody,
  startBody,
  winnerBody,
  type ExperimentOut,
} from '../schemas/experiments.js';
import { policyOut } from './decisions.js';

const experimentOut = (e: Experiment): ExperimentOut => ({
  key: e.key,
  name: e.name,
  description: e.description,
  hypothesis: e.hypothesis,
  status: e.status,
  variants: e.variants,
  controlVariant: e.controlVariant,
  targetMetric: e.targetMetric,
  trafficPercent: e.trafficPercent,
  hashSeed: e.hashSeed,
  namespace: e.namespace,
  type: e.type,
  bandit: e.bandit && { ...e.bandit, metric: banditMetric(e) },
  winner: e.winner,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
  startedAt: toIso(e.startedAt),
  stoppedAt: toIso(e.stoppedAt),
  completedAt: toIso(e.completedAt),
});

const tags = ['experiments'];

export default async function experimentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.experiments;

  app.post(
    '/experiments',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Create an experiment (draft)',
        body: createExperimentBody,
        response: { 201: experimentSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const { decisionPolicy, ...input } = req.body;
      if (decisionPolicy) app.services.decisions.validate(decisionPolicy);
      const created = await svc.create(input, req.actor);
      const channels = decisionPolicy
        ? await app.services.decisions.setPolicy(created.key, decisionPolicy)
        : undefined;
      return reply
        .code(201)
        .send({ ...experimentOut(created), decisionPolicy: await policyOut(app, created, channels) });
    },
  );

  app.get(
    '/experiments',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List experiments, by key, optionally filtered by status',
        querystring: listExperimentsQuery,
        response: { 200: experimentListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const page = await svc.list(req.query);
      return { items: page.items.map(experimentOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/experiments/:key',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        params: keyParams,
        response: { 200: experimentSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const e = await svc.get(req.params.key);
      return { ...experimentOut(e), decisionPolicy: await policyOut(app, e) };
    },
  );

  app.patch(
    '/experiments/:key',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          'Change an experiment (variants, weights, hashSeed, controlVariant, targetMetric: draft only)',
        params: keyParams,
        body: patchExperimentBody,
        response: { 200: experimentSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const { decisionPolicy, ...input } = req.body;
      if (decisionPolicy) app.services.decisions.validate(decisionPolicy);
      // A policy alone changes in any status; the other fields keep their own rules.
      const e =
        Object.keys(input).length > 0 || !decisionPolicy
          ? await svc.patch(req.params.key, input, req.actor)
          : await svc.get(req.params.key);
      const channels = decisionPolicy
        ? await app.services.decisions.setPolicy(e.key, decisionPolicy)
        : undefined;
      return { ...experimentOut(e), decisionPolicy: await policyOut(app, e, channels) };
    },
  );

  app.delete(
    '/experiments/:key',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Delete a draft experiment',
        params: keyParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await svc.delete(req.params.key, req.actor);
      return reply.code(204).send();
    },
  );

  app.post(
    '/experiments/:key/start',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Start a draft (optionally at a past startedAt) or resume a paused experiment',
        params: keyParams,
        body: startBody,
        response: { 200: experimentSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      experimentOut(
        await svc.transition(req.params.key, 'start', req.actor, {
          startedAt: req.body?.startedAt ? new Date(req.body.startedAt) : undefined,
        }),
      ),
  );

  app.post(
    '/experiments/:key/stop',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Pause a running experiment',
        params: keyParams,
        response: { 200: experimentSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => experimentOut(await svc.transition(req.params.key, 'stop', req.actor)),
  );

  app.post(
    '/experiments/:key/winner',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Declare the winner: completes the experiment',
        params: keyParams,
        body: winnerBody,
        response: { 200: experimentSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      experimentOut(await svc.transition(req.params.key, 'winner', req.actor, { winner: req.body })),
  );

  app.get(
    '/experiments/:key/history',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Audit trail of lifecycle changes',
        params: keyParams,
        response: { 200: historySchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({
      items: (await svc.history(req.params.key)).map((h) => ({ ...h, at: h.at.toISOString() })),
    }),
  );
}

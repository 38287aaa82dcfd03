import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Assignment } from '../experiments/assignment-service.js';
import { experimentNotFound } from '../experiments/experiment-service.js';
import {
  assignBody,
  assignmentSchema,
  conversionBody,
  conversionSchema,
  exposureBody,
  exposureSchema,
  multiAssignBody,
  multiAssignmentSchema,
} from '../schemas/assignments.js';
import { errorResponses, toIso } from '../schemas/common.js';
import { keyParams } from '../schemas/experiments.js';

const assignmentOut = (a: Assignment) => ({
  experimentKey: a.experimentKey,
  userId: a.userId,
  variant: a.variant,
  inExperiment: a.inExperiment,
  reason: a.reason,
  assignedAt: toIso(a.assignedAt),
  exposedAt: toIso(a.exposedAt),
});

const tags = ['assignment'];

export default async function assignmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { assignments, conversions } = app.services;

  app.post(
    '/experiments/:key/assignments',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Assign a user to a variant (sticky); always 200, the reason says what happened',
        params: keyParams,
        body: assignBody,
        response: { 200: assignmentSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const exposeAt = req.body.expose ? new Date() : null;
      const [a] = await assignments.assign(req.body.userId, [req.params.key], { exposeAt });
      return assignmentOut(a!);
    },
  );

  app.post(
    '/assignments',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Assign one user to many experiments (all running ones when none are named)',
        body: multiAssignBody,
        response: { 200: multiAssignmentSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const keys = req.body.experiments ? [...new Set(req.body.experiments)] : null;
      const exposeAt = req.body.expose ? new Date() : null;
      const list = await assignments.assign(req.body.userId, keys, { exposeAt });
      return { userId: req.body.userId, assignments: list.map(assignmentOut) };
    },
  );

  app.post(
    '/experiments/:key/exposures',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary:
          'Record that a user saw their variant (assigns first when needed); the first exposure is kept',
        params: keyParams,
        body: exposureBody,
        response: { 200: exposureSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const exposeAt = req.body.occurredAt ? new Date(req.body.occurredAt) : new Date();
      const [a] = await assignments.assign(req.body.userId, [req.params.key], {
        exposeAt,
        expectVariant: req.body.variant,
      });
      if (a!.reason === 'unknown_experiment') throw experimentNotFound(req.params.key);
      return {
        experimentKey: a!.experimentKey,
        userId: a!.userId,
        variant: a!.variant,
        inExperiment: a!.inExperiment,
        exposedAt: toIso(a!.exposedAt),
        firstExposure: a!.firstExposure,
      };
    },
  );

  app.post(
    '/experiments/:key/conversions',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Record a conversion (deduplicated per user and metric, or per eventId)',
        params: keyParams,
        body: conversionBody,
        response: { 200: conversionSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      conversions.record(req.params.key, {
        ...req.body,
        occurredAt: req.body.occurredAt ? new Date(req.body.occurredAt) : undefined,
      }),
  );
}

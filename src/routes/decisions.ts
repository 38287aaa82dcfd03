import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Channel } from '../alerts/types.js';
import type { Experiment } from '../experiments/types.js';
import { errorResponses } from '../schemas/common.js';
import { decisionSchema } from '../schemas/decisions.js';
import { keyParams } from '../schemas/experiments.js';
import { channelOut } from './alerts.js';

/** An experiment answer's decisionPolicy: defaults filled in; secrets only of channels created by this call. */
export async function policyOut(app: FastifyInstance, e: Experiment, created?: Channel[]) {
  const { policy, channels } = await app.services.decisions.policy(e);
  return { ...policy, channels: (created ?? channels).map((c) => channelOut(c, created !== undefined)) };
}

export default async function decisionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/experiments/:key/decision',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['experiments'],
        summary:
          'What to do with the experiment, by its decision policy, on sequential (always-valid) statistics',
        description:
          'First match wins: invalid (SRM p < 0.001); wait (fewer than minDays since start or minUsersPerVariant exposed in ' +
          'some variant); rollback (a guardrail’s always-valid interval at α / number of guardrails shows harm for a treatment); ' +
          'ship (a treatment significantly better on the primary metric, Holm-adjusted sequential p < 0.05, no harmful guardrail; ' +
          'the largest lower interval bound is named); inconclusive (maxDays passed); else continue. With autoDeclare, a ship ' +
          'declares the winner (actor system:decision-policy) and sends experiment.decided to the policy’s channels.',
        params: keyParams,
        response: { 200: decisionSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => app.services.decisions.decide(req.params.key),
  );
}

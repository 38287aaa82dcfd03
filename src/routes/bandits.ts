import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type BanditView, leaderOf } from '../experiments/bandit-service.js';
import { type BanditStateOut, banditStateSchema } from '../schemas/bandits.js';
import { errorResponses, toIso } from '../schemas/common.js';
import { keyParams } from '../schemas/experiments.js';

const stateOut = (v: BanditView): BanditStateOut => {
  const keys = v.experiment.variants.map((x) => x.key);
  const current = v.periods[v.periods.length - 1];
  const weights = current?.weights ?? keys.map(() => 1 / keys.length);
  return {
    experimentKey: v.experiment.key,
    status: v.experiment.status,
    metric: v.metric,
    weights: keys.map((variant, i) => ({
      variant,
      weight: weights[i]!,
      pBest: current?.pBest?.[i] ?? null,
    })),
    leader: leaderOf(keys, current?.pBest),
    exploring: v.exploring,
    lastUpdateAt: toIso(v.experiment.banditState.updatedAt),
    nextUpdateAt: toIso(v.nextUpdateAt),
    periods: v.periods.map((p) => ({
      period: p.period,
      startedAt: p.startedAt.toISOString(),
      weights: keys.map((variant, i) => ({ variant, weight: p.weights[i]! })),
      pBest: p.pBest ? keys.map((variant, i) => ({ variant, pBest: p.pBest![i]! })) : null,
      counts: p.counts ? keys.map((variant, i) => ({ variant, ...p.counts![i]! })) : null,
      seed: p.seed ?? null,
    })),
    ...(v.update ? { update: v.update } : {}),
  };
};

const tags = ['bandits'];

export default async function banditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.bandits;

  app.get(
    '/experiments/:key/bandit',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "A bandit's current weights, P(best), leader and weight periods",
        description:
          'Period 0 is the equal split from the start; each update after exploration (once every variant has ' +
          'minUsersPerVariant exposed users) opens a period with weights = P(best) (10,000 draws from ' +
          'Beta(1 + converted, 1 + exposed − converted), seed stored), floored at minWeight and renormalised once. ' +
          '404 bandit_not_found for a fixed-split experiment.',
        params: keyParams,
        response: { 200: banditStateSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => stateOut(await svc.view(req.params.key)),
  );

  app.post(
    '/experiments/:key/bandit/update',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Update the bandit now (as its schedule would) and answer its new state',
        description:
          'update.opened says whether a period was opened; reason exploring or too_few_users when not. ' +
          '409 experiment_not_running unless the experiment runs.',
        params: keyParams,
        response: { 200: banditStateSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => stateOut(await svc.update(req.params.key, req.actor)),
  );
}

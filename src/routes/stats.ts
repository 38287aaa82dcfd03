import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { welchTest } from '../stats/means.js';
import { proportionsTest } from '../stats/proportions.js';
import { sampleSize } from '../stats/sample-size.js';
import { srmTest } from '../stats/srm.js';
import { errorResponses } from '../schemas/common.js';
import {
  meansBody,
  meansSchema,
  proportionsBody,
  proportionsSchema,
  sampleSizeBody,
  sampleSizeSchema,
  srmBody,
  srmSchema,
} from '../schemas/stats.js';

const tags = ['stats'];

/** Stateless calculators over the same pure functions the results endpoint uses. */
export default async function statsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/stats/proportions',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Two-proportion z-tests of each treatment against the control',
        description:
          'Pooled-SE z-test, two-sided p; CI of pt − pc with the unpooled SE; CI of pt/pc − 1 by the delta method; ' +
          'pValueAdjusted by Holm (default), Bonferroni or none; ci.level = 1 − alpha.',
        body: proportionsBody,
        response: { 200: proportionsSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => proportionsTest({ ...req.body, tuning: req.body.sequentialTuning }),
  );

  app.post(
    '/stats/means',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "Welch's t-test of two means (variance = unbiased sample variance)",
        body: meansBody,
        response: { 200: meansSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => welchTest(req.body.control, req.body.treatment, req.body.alpha),
  );

  app.post(
    '/stats/srm',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Sample-ratio mismatch: Pearson χ² of observed counts against relative weights',
        description: 'expected_i = total × w_i / Σw; k − 1 degrees of freedom; mismatch when p < 0.001.',
        body: srmBody,
        response: { 200: srmSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => srmTest(req.body.observed, req.body.weights),
  );

  app.post(
    '/stats/sample-size',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Users needed per variant to detect an effect (R power.prop.test)',
        description:
          'perVariant = ceil(((z_{1−α/2}·√((p1+p2)(q1+q2)/2) + z_power·√(p1q1+p2q2)) / |p1−p2|)²), the n of R power.prop.test ' +
          '(two-sided; pooled variance under H0, unpooled under H1); total = perVariant × variants; beyond 2 variants ' +
          'alpha is divided by the k − 1 comparisons (Bonferroni); days = ceil(total / dailyUsers).',
        body: sampleSizeBody,
        response: { 200: sampleSizeSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => sampleSize(req.body),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { anomaliesQuery, anomaliesSchema, anomalyDaySchema } from '../schemas/anomalies.js';
import { errorResponses } from '../schemas/common.js';
import { fieldError } from '../errors.js';
import { sendCsvIfAsked } from './csv-reply.js';

const COLUMNS = ['metric', 'source', 'tz', 'conversionWindowDays', ...Object.keys(anomalyDaySchema.shape)];

export default async function anomalyRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.anomalies;

  app.get(
    '/metrics/anomalies',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['viral metrics'],
        summary: 'Daily anomalies: robust weekday-adjusted z of signups, invites or K',
        description:
          'Daily values in tz (k_factor: K of the invites sent that day, conversionWindowDays default 1). A day is incomplete ' +
          'until it ended (and, for k_factor, its conversion window passed). History = up to 28 most recent earlier complete, ' +
          'unflagged days (< 14 → insufficient_data). With ≥ 21, values are divided by weekday factors s_d = median(weekday d) ÷ ' +
          'median(all). z = 0.6745 (a − m) / MAD, or (a − m) / (1.2533 × mean |a − m|) when MAD is 0; null when both are 0. ' +
          'drop: z ≤ −3.5 and a ≤ 0.8 m (k_factor: on days with ≥ 30 invites); spike: z ≥ 3.5 and a ≥ 1.2 m. ' +
          'expected = m × s_weekday. Lists the last `days` days (default 56, today included) or the days of [from, to).',
        querystring: anomaliesQuery,
        response: { 200: anomaliesSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const from = q.from ? new Date(q.from) : undefined;
      const to = q.to ? new Date(q.to) : undefined;
      if (from && from >= (to ?? new Date())) throw fieldError('from', 'must be before `to`');
      if (from && (to ?? new Date()).getTime() - from.getTime() > 365 * 86_400_000) {
        throw fieldError('from', 'the window may span at most 365 days');
      }
      const r = await svc.anomalies({ ...q, from, to });
      const rows = r.days.map((d) => ({
        metric: r.metric,
        source: r.source,
        tz: r.tz,
        conversionWindowDays: r.conversionWindowDays,
        ...d,
      }));
      if (sendCsvIfAsked(req, reply, q.format, rows, `anomalies-${r.metric}.csv`, COLUMNS)) return reply;
      return r;
    },
  );
}

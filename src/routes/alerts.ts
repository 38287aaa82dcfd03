import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertView } from '../alerts/alert-service.js';
import type { Channel } from '../alerts/types.js';
import {
  alertEventListSchema,
  alertIdParams,
  alertListQuery,
  alertListSchema,
  alertSchema,
  createAlertBody,
  deliveryListSchema,
  patchAlertBody,
  type AlertOut,
} from '../schemas/alerts.js';
import { errorResponses, toIso } from '../schemas/common.js';

export const channelOut = (c: Channel, showSecret: boolean) => ({
  id: c.id,
  type: c.type,
  ...(c.url !== null ? { url: c.url } : {}),
  ...(c.to !== null ? { to: c.to } : {}),
  ...(showSecret && c.secret !== null ? { secret: c.secret } : {}),
  disabled: c.disabledAt !== null,
  disabledAt: toIso(c.disabledAt),
  disabledReason: c.disabledReason,
});

const alertOut = (v: AlertView): AlertOut => ({
  id: v.rule.id,
  name: v.rule.name,
  type: v.rule.type,
  params: v.rule.params,
  channels: v.channels.map((c) => channelOut(c, v.showSecrets)),
  cooldownMinutes: v.rule.cooldownMinutes,
  enabled: v.rule.enabled,
  state: v.subjects.some((s) => s.state === 'firing') ? 'firing' : 'ok',
  subjects: v.subjects.map((s) => ({
    subject: s.subject,
    state: s.state,
    since: s.since.toISOString(),
    lastNotifiedAt: toIso(s.lastNotifiedAt),
    evaluatedAt: s.evaluatedAt.toISOString(),
    details: s.details,
  })),
  createdAt: v.rule.createdAt.toISOString(),
  updatedAt: v.rule.updatedAt.toISOString(),
});

const tags = ['alerts'];
const admin = { scope: 'admin' } as const;

export default async function alertRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const svc = app.services.alerts;

  app.post(
    '/alerts',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an alert rule',
        description:
          'Types: k_factor_below {threshold, days (7), source?, minInvites (30)}; anomaly {metric, source?, direction: drop|both}; ' +
          'srm {experimentKey?}; significant {experimentKey?, metric?, alpha (0.05)}. Channels: webhook {url, secret?} (a whsec_ ' +
          'secret is generated when absent and returned only in this answer), slack {url}, email {to:[…]}.',
        body: createAlertBody,
        response: { 201: alertSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(alertOut(await svc.create(req.body))),
  );

  app.get(
    '/alerts',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List alert rules with their state',
        querystring: alertListQuery,
        response: { 200: alertListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const page = await svc.list(req.query.limit, req.query.cursor);
      return { items: page.items.map(alertOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/alerts/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'One alert rule with its state per subject',
        params: alertIdParams,
        response: { 200: alertSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => alertOut(await svc.get(req.params.id)),
  );

  app.patch(
    '/alerts/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change an alert rule (channels are replaced as a whole)',
        params: alertIdParams,
        body: patchAlertBody,
        response: { 200: alertSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => alertOut(await svc.patch(req.params.id, req.body)),
  );

  app.delete(
    '/alerts/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete an alert rule, its events and queued deliveries',
        params: alertIdParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await svc.delete(req.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/alerts/:id/evaluate',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Evaluate the rule now, deliver what it decides, answer its state',
        params: alertIdParams,
        response: { 200: alertSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => alertOut(await svc.evaluateNow(req.params.id)),
  );

  app.get(
    '/alerts/:id/events',
    {
      config: admin,
      schema: {
        tags,
        summary: 'State changes of the rule (firing, reminder after the cooldown, resolved), newest first',
        params: alertIdParams,
        querystring: alertListQuery,
        response: { 200: alertEventListSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const page = await svc.events(req.params.id, req.query.limit, req.query.cursor);
      return {
        items: page.items.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/alerts/:id/deliveries',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Notifications of the rule and every attempt {at, statusCode, error, durationMs}, newest first',
        params: alertIdParams,
        querystring: alertListQuery,
        response: { 200: deliveryListSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => svc.deliveryList(req.params.id, req.query.limit, req.query.cursor),
  );
}

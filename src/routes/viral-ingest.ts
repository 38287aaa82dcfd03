import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses, toIso } from '../schemas/common.js';
import {
  EVENTS_BODY_LIMIT,
  clickBody,
  eventsBody,
  eventsResultSchema,
  fvmBody,
  inviteBody,
  inviteParams,
  inviteSchema,
  signupBody,
  userBody,
  userParams,
  userSchema,
} from '../schemas/viral.js';
import type { Invite, ViralUser } from '../viral/types.js';

const date = (s: string | undefined) => (s === undefined ? undefined : new Date(s));

const userOut = (u: ViralUser & { created: boolean }) => ({
  userId: u.userId,
  signedUpAt: u.signedUpAt.toISOString(),
  referredByInvite: u.referredByInvite,
  country: u.country,
  fvmAt: toIso(u.fvmAt),
  created: u.created,
});

const inviteOut = (i: Invite & { created: boolean }) => ({
  inviteId: i.inviteId,
  referrerId: i.referrerId,
  source: i.source,
  sentAt: i.sentAt.toISOString(),
  clicks: i.clicks,
  firstClickedAt: toIso(i.firstClickedAt),
  signupUserId: i.signupUserId,
  signedUpAt: toIso(i.signedUpAt),
  created: i.created,
});

const tags = ['viral ingestion'];
const ingest = { scope: 'ingest' as const };

export default async function viralIngestRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { viral, events } = app.services;

  app.post(
    '/users',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'An organic signup (creates the user once; idempotent)',
        body: userBody,
        response: { 200: userSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) =>
      userOut(await viral.registerUser(req.body.userId, date(req.body.signedUpAt), req.body.country)),
  );

  app.post(
    '/invites',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'An invite (attribution link); a client-chosen inviteId makes it idempotent',
        body: inviteBody,
        response: { 200: inviteSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req) => inviteOut(await viral.createInvite({ ...req.body, sentAt: date(req.body.sentAt) })),
  );

  app.post(
    '/invites/:inviteId/clicks',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'A click on an invite: the first click time is kept, clicks are counted',
        params: inviteParams,
        body: clickBody,
        response: { 200: inviteSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) =>
      inviteOut(
        await viral.click(
          req.params.inviteId,
          req.body.clickId,
          date(req.body.occurredAt),
          req.body.visitorId,
        ),
      ),
  );

  app.post(
    '/invites/:inviteId/signups',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'The invitee signed up through this invite (creates the user with referredBy)',
        params: inviteParams,
        body: signupBody,
        response: { 200: inviteSchema, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) =>
      inviteOut(
        await viral.signup(req.params.inviteId, req.body.userId, date(req.body.occurredAt), {
          country: req.body.country,
          visitorId: req.body.visitorId,
        }),
      ),
  );

  app.post(
    '/users/:userId/fvm',
    {
      config: ingest,
      schema: {
        tags,
        summary: 'The user reached the first-value moment (the first one is kept)',
        params: userParams,
        body: fvmBody,
        response: { 200: userSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => userOut(await viral.fvm(req.params.userId, date(req.body.occurredAt))),
  );

  app.post(
    '/events',
    {
      config: { ...ingest, bodyName: 'events' },
      bodyLimit: EVENTS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Up to 5,000 events applied in order; each event is validated and applied on its own',
        description:
          'Types: user_signed_up {userId, country?}, invite_sent {inviteId, referrerId, source}, ' +
          'invite_clicked {inviteId, clickId?, visitorId?}, ' +
          'invite_signed_up {inviteId, userId, country?, visitorId?}, fvm_reached {userId}, user_active {userId}, ' +
          'revenue {userId, eventId, amount, currency?}, experiment_exposure {experimentKey, userId, variant?}, ' +
          'experiment_conversion {experimentKey, userId, metric?, value?, eventId?}; each with occurredAt?. ' +
          'A bad event is listed in rejected[{index, code, detail}] and the others are applied; an event identical to a ' +
          'stored one counts in duplicates. Body up to 8 MiB.',
        body: eventsBody,
        response: { 200: eventsResultSchema, ...errorResponses(400, 401, 403, 413) },
      },
    },
    async (req) => events.apply(req.body.events),
  );
}

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, RawRequestDefaultExpression } from 'fastify';
import fp from 'fastify-plugin';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: a caller's X-Request-Id when it is a plain token, else a fresh UUID. */
export const genReqId = (req: RawRequestDefaultExpression): string => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
};

/** Echoes the request id on every answer, so a caller can quote it when reporting a problem. */
export default fp(
  async function requestId(app: FastifyInstance) {
    app.addHook('onRequest', (req, reply, done) => {
      reply.header('x-request-id', req.id);
      done();
    });
  },
  { name: 'request-id' },
);

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { problem, sendProblem } from './error-handler.js';

/**
 * While closing, every answer says `Connection: close`. server.close() reaps only the keep-alive connections that
 * are idle at that moment; one whose request is still running turns idle right after its answer and would then
 * hold the close open until its keep-alive timeout (72 s), past SHUTDOWN_TIMEOUT_MS, so a drained process exited
 * 1 whenever a client kept its socket. Fastify itself adds the header only to requests that arrive after close.
 *
 * Requests that still arrive on open connections while draining get a problem+json 503 with Retry-After, so a client
 * or load balancer retries them elsewhere. Fastify's own 503 (return503OnClosing, switched off in buildApp) has no
 * code and no Retry-After.
 */
export default fp(
  async function drain(app: FastifyInstance) {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onRequest', (_req, reply, done) => {
      if (!closing) return done();
      sendProblem(reply, problem('service_unavailable', 'The service is shutting down; retry the request.'), {
        'retry-after': '1',
      });
    });
    // A callback hook: it runs on every answer, and an async one costs a promise each time.
    app.addHook('onSend', (request, reply, _payload, done) => {
      if (closing && request.raw.httpVersionMajor < 2) reply.header('connection', 'close');
      done();
    });
  },
  { name: 'drain' },
);

import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The dashboard's policy, sent on every response: scripts, styles, fonts and API calls come from the service only
 * (no inline script or style, no CDN); /docs loosens style-src only (see plugins/swagger.ts). No
 * upgrade-insecure-requests: the service speaks plain HTTP on loopback and behind proxies.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
};

const OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
};

/**
 * The headers helmet sets for OPTIONS, computed once. Helmet's middleware builds the same static headers on every
 * call (and @fastify/helmet builds the middleware itself per request, parsing the policy each time); with no
 * per-request part (no nonces), running it once at start and copying its headers is the same answer for less work
 * on the hot paths.
 */
export function securityHeaderValues(options: HelmetOptions = OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options)({} as never, res as never, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  return headers;
}

export default fp(
  async function securityHeaders(app: FastifyInstance) {
    const headers = securityHeaderValues();
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'security-headers' },
);

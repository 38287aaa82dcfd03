import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKey, Scope } from '../config.js';
import { AppError } from '../errors.js';
import { addRouteHook } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs ("any": any valid key); routes without one (health, docs) are public. */
    scope?: Scope | 'any';
    /** How problem details name the request body (e.g. "events"); "body" by default. */
    bodyName?: string;
  }
  interface FastifyRequest {
    /** Who made the request, as written in logs and audit trails: "scope:sha256-prefix" or "anonymous". */
    actor: string;
    /** The scope of the request's key; admin when authentication is off. */
    scope: Scope;
  }
  interface FastifyInstance {
    /** False when API_KEYS is unset: every request then acts as admin. */
    authEnabled: boolean;
  }
}

interface StoredKey {
  scope: Scope;
  digest: Buffer;
  id: string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Identifies a key in logs without revealing it: its scope and the first 8 hex digits of the secret's SHA-256. */
export const keyId = (key: ApiKey): string =>
  `${key.scope}:${sha256(key.secret).toString('hex').slice(0, 8)}`;

/** A lookup of configured keys by secret: digests compared in constant time, every key checked, so timing says nothing. */
export function keyMatcher(keys: ApiKey[]): (secret: string) => StoredKey | undefined {
  const stored: StoredKey[] = keys.map((k) => ({ scope: k.scope, digest: sha256(k.secret), id: keyId(k) }));
  return (secret) => {
    const digest = sha256(secret);
    let match: StoredKey | undefined;
    for (const k of stored) if (timingSafeEqual(k.digest, digest) && !match) match = k;
    return match;
  };
}

/** The secret of an "Authorization: Bearer <secret>" header, if that is what was sent. */
export const bearerSecret = (header: unknown): string | undefined =>
  (typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1];

export interface AuthOptions {
  keys: ApiKey[];
}

export default fp<AuthOptions>(
  async function auth(app: FastifyInstance, { keys }) {
    app.decorateRequest('actor', 'anonymous');
    app.decorateRequest('scope', 'admin');
    app.decorate('authEnabled', keys.length > 0);
    if (keys.length === 0) {
      app.log.warn('API_KEYS is not set: authentication is OFF. Set API_KEYS before exposing the service.');
      return;
    }
    const find = keyMatcher(keys);

    const check = (needed: Scope | 'any', request: FastifyRequest): AppError | undefined => {
      const secret = bearerSecret(request.headers.authorization);
      if (!secret) {
        return new AppError('unauthorized', 'Send an API key as "Authorization: Bearer <key>".', undefined, {
          'www-authenticate': 'Bearer',
        });
      }
      const key = find(secret);
      if (!key) {
        return new AppError('unauthorized', 'The API key is not valid.', undefined, {
          'www-authenticate': 'Bearer',
        });
      }
      request.actor = key.id;
      request.scope = key.scope;
      request.log = request.log.child({ actor: key.id });
      if (needed !== 'any' && key.scope !== 'admin' && key.scope !== needed) {
        return new AppError(
          'forbidden',
          `This endpoint needs the "${needed}" scope; the key has "${key.scope}".`,
        );
      }
      return undefined;
    };
    // Each route that names a scope gets its own check, with the scope read once here (a route without one is
    // public). Route hooks run after every application hook, so the rate limit still counts refused requests.
    app.addHook('onRoute', (route) => {
      const needed = route.config?.scope;
      if (!needed) return;
      addRouteHook(
        route,
        'onRequest',
        (request: FastifyRequest, _reply: unknown, done: (err?: Error) => void) =>
          done(check(needed, request)),
      );
    });
  },
  { name: 'auth' },
);

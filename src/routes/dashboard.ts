import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/** The project root: the nearest folder above this file with a package.json (src/routes or dist/src/routes). */
const projectRoot = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
};

export interface DashboardOptions {
  /** Where `npm run build` writes the page and its assets (default <project>/dist/web). */
  root?: string;
}

/** The views a link can point at; each serves the same page, which reads the view from the URL. */
const VIEWS = [
  '/dashboard',
  '/dashboard/k-factor',
  '/dashboard/experiments',
  '/dashboard/experiments/:key',
  '/dashboard/growth',
  '/dashboard/alerts',
];

/**
 * The dashboard: one page and its bundled script and stylesheet, all served from here (no CDN), so it works
 * offline and under the strict Content-Security-Policy. The page only calls the public /v1 API.
 */
export default async function dashboardRoutes(app: FastifyInstance, opts: DashboardOptions) {
  const root = opts.root ?? path.join(projectRoot(), 'dist', 'web');

  await app.register(fastifyStatic, {
    root,
    prefix: '/dashboard/assets/',
    decorateReply: false,
    index: false,
    // Names carry no hash, so browsers revalidate (ETag) instead of keeping a stale bundle after an upgrade.
    cacheControl: true,
    maxAge: 0,
    allowedPath: (pathName) => pathName !== '/index.html',
  });

  for (const url of VIEWS) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      const page = await readFile(path.join(root, 'index.html'), 'utf8').catch(() => null);
      if (page === null) {
        throw new AppError('service_unavailable', 'The dashboard is not built: run "npm run build".');
      }
      // Tells the page whether to ask for a key before its first call (no request bound to fail with 401).
      const body = page.replace('<body>', `<body data-auth="${app.authEnabled ? 'on' : 'off'}">`);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);
    });
  }
}

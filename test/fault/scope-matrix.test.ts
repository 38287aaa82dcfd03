// Every route of the OpenAPI document × {no key, a wrong key, ingest, read, admin}: 401 / 403 / allowed exactly
// as SPEC §2 says. The expected scope comes from SPEC's wording, not from the routes' own config, so a route
// registered with the wrong scope fails here; a route SPEC does not classify yet fails until it is added below.
import t from 'tap';
import { build, json } from '../helper.js';

const KEYS = { ingest: 'ingest-secret-matrix', read: 'read-secret-matrix', admin: 'admin-secret-matrix' };
const API_KEYS = Object.entries(KEYS)
  .map(([scope, secret]) => `${scope}:${secret}`)
  .join(',');
type Scope = keyof typeof KEYS;
/** `any`: every valid key, whatever its scope (SPEC §5: `GET /v1/me`). */
type Needed = Scope | 'any' | null;

/**
 * SPEC §2: ingest writes events, read reads (results, metrics, stats, listings), admin changes definitions;
 * SPEC §5: the dashboard page needs no key (it asks for one itself).
 */
function expectedScope(method: string, path: string): Needed {
  const publicPaths = ['/docs', '/openapi.json', '/openapi.yaml', '/metrics', '/dashboard'];
  if (path.startsWith('/health/') || publicPaths.includes(path)) return null;
  if (path.startsWith('/v1/metrics/') || path.startsWith('/v1/stats/')) return 'read';
  if (
    /^\/v1\/experiments\/\{key\}\/(assignments|exposures|conversions)$/.test(path) ||
    path === '/v1/assignments'
  ) {
    return 'ingest';
  }
  if (/^\/v1\/(users|invites|events)(\/|$)/.test(path)) return 'ingest';
  if (path === '/v1/me') return 'any';
  // SPEC §9.2: admin scope for everything under /v1/alerts, reads included.
  if (/^\/v1\/alerts(\/|$)/.test(path)) return 'admin';
  // SPEC §9.5: admin manages reports; reading them, their runs and files, and rendering need read.
  if (/^\/v1\/reports(\/|$)/.test(path)) return method === 'GET' ? 'read' : 'admin';
  if (/^\/v1\/(experiments|namespaces|holdouts)(\/|$)/.test(path)) {
    if (method === 'GET' || path.endsWith('/results/refresh')) return 'read';
    return 'admin';
  }
  throw new Error(`${method} ${path} is not classified: add its SPEC §2 scope to the scope matrix`);
}

const PARAMS: Record<string, string> = { key: 'matrix-exp', inviteId: 'inv-matrix', userId: 'user-matrix' };

t.test('scope matrix over every route of the OpenAPI document', async (t) => {
  const app = await build(t, { API_KEYS });
  const doc = json<{ paths: Record<string, Record<string, unknown>> }>(
    await app.inject({ url: '/openapi.json' }),
  );
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
  routes.push(
    { method: 'GET', path: '/docs' },
    { method: 'GET', path: '/openapi.json' },
    { method: 'GET', path: '/openapi.yaml' },
  );
  routes.push({ method: 'GET', path: '/metrics' });
  t.ok(routes.length >= 35, `${routes.length} routes`);

  const callers: [string, Record<string, string>][] = [
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer not-a-key-at-all' }],
    ['malformed header', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ...Object.entries(KEYS).map(([s, k]): [string, Record<string, string>] => [
      s,
      { authorization: `Bearer ${k}` },
    ]),
  ];
  const failures: string[] = [];
  let cells = 0;
  for (const { method, path } of routes) {
    const needed = expectedScope(method, path);
    const url = path.replace(/\{(\w+)\}/g, (_, p: string) => PARAMS[p] ?? 'x');
    for (const [who, headers] of callers) {
      cells++;
      const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
        payload: withBody ? '{}' : undefined,
      });
      const scope = who in KEYS ? (who as Scope) : null;
      const expected =
        needed === null
          ? 'allowed'
          : scope === null
            ? 401
            : needed === 'any' || scope === 'admin' || scope === needed
              ? 'allowed'
              : 403;
      const got = res.statusCode === 401 || res.statusCode === 403 ? res.statusCode : 'allowed';
      const code = got === 401 ? 'unauthorized' : got === 403 ? 'forbidden' : undefined;
      if (got !== expected)
        failures.push(`${method} ${path} with ${who}: ${res.statusCode}, expected ${expected}`);
      else if (code && json(res).code !== code)
        failures.push(`${method} ${path} with ${who}: code ${res.body}`);
      else if (res.statusCode >= 500)
        failures.push(`${method} ${path} with ${who}: ${res.statusCode} ${res.body}`);
    }
  }
  t.same(failures, [], `${cells} cells of the matrix`);
});

t.test('/metrics needs METRICS_TOKEN when it is set, and no API key opens it', async (t) => {
  const app = await build(t, { API_KEYS, METRICS_TOKEN: 'scrape-token-matrix' });
  const get = (authorization?: string) =>
    app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
  t.equal((await get()).statusCode, 401);
  t.equal((await get(`Bearer ${KEYS.admin}`)).statusCode, 401);
  t.equal((await get('Bearer scrape-token-matrix')).statusCode, 200);
  for (const url of ['/health/live', '/openapi.json', '/openapi.yaml', '/docs']) {
    t.not((await app.inject({ url })).statusCode, 401, `${url} stays open`);
  }
});

import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { keyId } from '../../src/plugins/auth.js';
import { openApiYaml } from '../../src/plugins/swagger.js';
import { build, json } from '../helper.js';

const KEYS = 'admin:admin-secret-1,ingest:ingest-secret-1,read:read-secret-1';
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

t.test('auth scopes: 401 without or with a wrong key, 403 with the wrong scope', async (t) => {
  const app = await build(t, { API_KEYS: KEYS });
  const create = (headers: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/v1/experiments',
      headers,
      payload: { key: 'auth', variants: [{ key: 'a' }, { key: 'b' }] },
    });
  const none = await create({});
  t.equal(none.statusCode, 401);
  t.equal(json(none).code, 'unauthorized');
  t.equal((await create(bearer('wrong-secret'))).statusCode, 401);
  const wrongScope = await create(bearer('read-secret-1'));
  t.equal(wrongScope.statusCode, 403);
  t.equal(json(wrongScope).code, 'forbidden');
  t.equal((await create(bearer('ingest-secret-1'))).statusCode, 403);
  t.equal((await create(bearer('admin-secret-1'))).statusCode, 201);

  t.equal((await app.inject({ url: '/v1/experiments', headers: bearer('read-secret-1') })).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/experiments', headers: bearer('ingest-secret-1') })).statusCode, 403);
  t.equal((await app.inject({ url: '/v1/experiments', headers: bearer('admin-secret-1') })).statusCode, 200);
  const assign = (secret: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/experiments/auth/assignments',
      headers: bearer(secret),
      payload: { userId: 'u' },
    });
  t.equal((await assign('ingest-secret-1')).statusCode, 200);
  t.equal((await assign('read-secret-1')).statusCode, 403);

  for (const url of ['/health/live', '/health/ready', '/openapi.json', '/metrics']) {
    t.equal((await app.inject({ url })).statusCode, 200, `${url} needs no key`);
  }
  const history = json<{ items: { actor: string }[] }>(
    await app.inject({ url: '/v1/experiments/auth/history', headers: bearer('admin-secret-1') }),
  );
  t.equal(history.items[0]!.actor, keyId({ scope: 'admin', secret: 'admin-secret-1' }));
  t.match(history.items[0]!.actor, /^admin:[0-9a-f]{8}$/);
});

t.test('every /v1 operation of the OpenAPI document needs a key, and a key of its scope', async (t) => {
  const app = await build(t, { API_KEYS: KEYS });
  const spec = json<{ paths: Record<string, Record<string, unknown>> }>(
    await app.inject({ url: '/openapi.json' }),
  );
  const operations = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase() as 'GET', url: path.replace(/\{[^}]+\}/g, 'x') })),
  );
  t.ok(operations.length > 60, `${operations.length} operations`);
  for (const op of operations.filter((o) => o.url.startsWith('/v1/'))) {
    const res = await app.inject({ ...op, headers: { 'content-type': 'application/json' }, payload: '{}' });
    t.equal(res.statusCode, 401, `${op.method} ${op.url} without a key`);
    t.equal(res.headers['www-authenticate'], 'Bearer');
  }
  // An ingest key reaches no admin or read operation: every answer is 403 or comes from an ingest route.
  const ingest = await Promise.all(
    operations
      .filter((o) => o.url.startsWith('/v1/') && o.method === 'GET' && o.url !== '/v1/me')
      .map((op) => app.inject({ ...op, headers: bearer('ingest-secret-1') })),
  );
  t.same(new Set(ingest.map((r) => r.statusCode)), new Set([403]), 'GET operations refuse an ingest key');
});

t.test('METRICS_TOKEN protects /metrics', async (t) => {
  const app = await build(t, { METRICS_TOKEN: 'scrape-me' });
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
  const ok = await app.inject({ url: '/metrics', headers: bearer('scrape-me') });
  t.equal(ok.statusCode, 200);
  t.match(ok.body, /liftoff_http_requests_total/);
  t.match(ok.body, /liftoff_db_pool_connections/);
});

t.test('rate limit per key answers 429 with Retry-After', async (t) => {
  const app = await build(t, { RATE_LIMIT_PER_MINUTE: '3' });
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: '/v1/experiments' })).statusCode);
  t.same(codes, [200, 200, 200, 429]);
  const limited = await app.inject({ url: '/v1/experiments' });
  t.equal(json(limited).code, 'rate_limited');
  t.ok(Number(limited.headers['retry-after']) > 0);
});

t.test('health, request ids, OpenAPI drift', async (t) => {
  const app = await build(t);
  t.same(json(await app.inject({ url: '/health/live' })), { status: 'ok' });
  t.same(json(await app.inject({ url: '/health/ready' })), {
    status: 'ok',
    checks: { database: 'ok', migrations: 'ok' },
  });
  const res = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'abc-123' } });
  t.equal(res.headers['x-request-id'], 'abc-123');
  const spec = json<{ openapi: string; paths: Record<string, unknown> }>(
    await app.inject({ url: '/openapi.json' }),
  );
  t.equal(spec.openapi, '3.1.0');
  t.ok(spec.paths['/v1/experiments/{key}/results']);
  const docs = await app.inject({ url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, /swagger/i);
  const committed = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
  t.equal(committed, openApiYaml(app), 'openapi.yaml matches the schemas (run npm run openapi)');
  const served = await app.inject({ url: '/openapi.yaml' });
  t.equal(served.statusCode, 200);
  t.match(served.headers['content-type'], /^application\/yaml/);
  t.equal(served.body, committed, '/openapi.yaml serves the committed document');
  // YAML 1.1 readers (PyYAML, SnakeYAML) get the same document as YAML 1.2 readers and /openapi.json.
  for (const version of ['1.1', '1.2'] as const) {
    t.strictSame(
      parseYaml(committed, { version }),
      spec,
      `openapi.yaml read as YAML ${version} equals /openapi.json`,
    );
  }
  t.match(committed, /- "on"\n/, 'the retention mode `on` is quoted');
});

t.test('an unreachable database answers 503 with Retry-After, readiness fails, liveness holds', async (t) => {
  const app = await buildApp({
    config: configFrom({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    migrate: false,
  });
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/experiments/x/assignments',
    payload: { userId: 'u' },
  });
  t.equal(res.statusCode, 503);
  t.equal(json(res).code, 'service_unavailable');
  t.equal(res.headers['retry-after'], '5');
  const ready = await app.inject({ url: '/health/ready' });
  t.equal(ready.statusCode, 503);
  t.equal(json(ready).status, 'unavailable');
  t.equal((await app.inject({ url: '/health/live' })).statusCode, 200);
});

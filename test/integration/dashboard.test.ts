import { createHash } from 'node:crypto';
import t from 'tap';
import { build, json } from '../helper.js';
import { ensureWebBuild } from '../support/web-build.js';

const READ = 'read-secret-123';
const ADMIN = 'admin-secret-123';
const INGEST = 'ingest-secret-123';
const KEYS = `read:${READ},admin:${ADMIN},ingest:${INGEST}`;
const id = (scope: string, secret: string) =>
  `${scope}:${createHash('sha256').update(secret).digest('hex').slice(0, 8)}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

ensureWebBuild();

t.test('GET /v1/me with authentication off: admin, no key id', async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: '/v1/me' });
  t.equal(res.statusCode, 200);
  t.same(json(res), { scope: 'admin', keyId: null, authEnabled: false });
});

t.test('GET /v1/me answers any valid key with its scope and id, and 401 without one', async (t) => {
  const app = await build(t, { API_KEYS: KEYS });
  for (const [scope, secret] of [
    ['read', READ],
    ['admin', ADMIN],
    ['ingest', INGEST],
  ] as const) {
    const res = await app.inject({ url: '/v1/me', headers: bearer(secret) });
    t.equal(res.statusCode, 200, scope);
    t.same(json(res), { scope, keyId: id(scope, secret), authEnabled: true });
  }
  const none = await app.inject({ url: '/v1/me' });
  t.equal(none.statusCode, 401);
  t.equal(json(none).code, 'unauthorized');
  t.equal((await app.inject({ url: '/v1/me', headers: bearer('wrong-secret-1') })).statusCode, 401);
  // The scope check still holds elsewhere: a read key cannot create.
  const created = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    headers: bearer(READ),
    payload: { key: 'x', variants: [{ key: 'a' }, { key: 'b' }] },
  });
  t.equal(created.statusCode, 403);
});

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );

t.test(
  'the dashboard page and every view link are served under a strict CSP, with no key needed',
  async (t) => {
    const app = await build(t, { API_KEYS: KEYS });
    for (const url of [
      '/dashboard',
      '/dashboard/k-factor?days=30',
      '/dashboard/experiments?status=running',
      '/dashboard/experiments/some-key?method=sequential',
    ]) {
      const res = await app.inject({ url });
      t.equal(res.statusCode, 200, url);
      t.match(res.headers['content-type'], /^text\/html/);
      t.match(res.body, /<script type="module" src="\/dashboard\/assets\/app\.js"><\/script>/);
      t.notMatch(res.body, /<script>|<script [^>]*>[^<]/, 'no inline script');
      const csp = directives(String(res.headers['content-security-policy']));
      t.same(csp.get('script-src'), ["'self'"], url);
      t.same(csp.get('style-src'), ["'self'"]);
      t.same(csp.get('connect-src'), ["'self'"]);
      t.same(csp.get('object-src'), ["'none'"]);
      t.same(csp.get('frame-ancestors'), ["'none'"]);
      t.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const js = await app.inject({ url: '/dashboard/assets/app.js' });
    t.equal(js.statusCode, 200);
    t.match(js.headers['content-type'], /javascript/);
    t.match(js.headers['cache-control'], /max-age=0/);
    const css = await app.inject({ url: '/dashboard/assets/styles.css' });
    t.match(css.headers['content-type'], /text\/css/);
    t.equal((await app.inject({ url: '/dashboard/assets/nope.js' })).statusCode, 404);
    t.equal((await app.inject({ url: '/dashboard/assets/index.html' })).statusCode, 404);
    t.equal((await app.inject({ url: '/dashboard/assets/../../package.json' })).statusCode, 404);
  },
);

t.test('API answers and /docs carry the security headers; /docs loosens styles only', async (t) => {
  const app = await build(t);
  const api = await app.inject({ url: '/v1/experiments' });
  t.equal(api.statusCode, 200);
  t.same(directives(String(api.headers['content-security-policy'])).get('script-src'), ["'self'"]);
  const docs = await app.inject({ url: '/docs/' });
  t.equal(docs.statusCode, 200);
  const csp = directives(String(docs.headers['content-security-policy']));
  t.same(csp.get('script-src'), ["'self'"]);
  t.same(csp.get('style-src'), ["'self'", "'unsafe-inline'"]);
  t.notOk(csp.has('upgrade-insecure-requests'));
  // Error answers carry the same headers, set once per request before any handler or hook can fail.
  for (const res of [
    await app.inject({ url: '/v1/nope' }),
    await app.inject({ url: '/v1/metrics/k-factor?days=0' }),
    await app.inject({
      method: 'POST',
      url: '/v1/experiments',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    }),
  ]) {
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}`);
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    t.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    t.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
    t.same(directives(String(res.headers['content-security-policy'])).get('default-src'), ["'self'"]);
  }
});

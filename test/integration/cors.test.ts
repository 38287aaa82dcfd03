import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { build } from '../helper.js';

const preflight = {
  method: 'OPTIONS' as const,
  url: '/v1/experiments',
  headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
};

t.test('CORS is off by default: no Access-Control headers', async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: '/health/live', headers: { origin: 'https://app.example.com' } });
  t.equal(res.headers['access-control-allow-origin'], undefined);
  t.equal((await app.inject(preflight)).headers['access-control-allow-origin'], undefined);
});

t.test('CORS_ORIGINS allows the listed origins only', async (t) => {
  const app = await build(t, { CORS_ORIGINS: 'https://app.example.com, https://ops.example.com' });
  const ok = await app.inject(preflight);
  t.equal(ok.statusCode, 204);
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
  t.match(String(ok.headers['access-control-allow-headers']), /authorization/);
  const other = await app.inject({
    ...preflight,
    headers: { ...preflight.headers, origin: 'https://evil.example' },
  });
  t.equal(other.headers['access-control-allow-origin'], undefined);
});

t.test('a CORS_ORIGINS entry that is not an origin stops the start, naming the variable', async (t) => {
  t.throws(() => loadConfig({ CORS_ORIGINS: 'app.example.com' }), /CORS_ORIGINS/);
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' }), /CORS_ORIGINS/);
  t.same(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS, ['*']);
  t.same(loadConfig({}).CORS_ORIGINS, []);
});

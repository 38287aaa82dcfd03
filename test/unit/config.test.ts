import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';

t.test(
  'defaults: an empty environment is a development service on 127.0.0.1:3000 with the embedded database',
  async (t) => {
    const c = loadConfig({});
    t.equal(c.NODE_ENV, 'development');
    t.equal(c.PORT, 3000);
    t.equal(c.HOST, '127.0.0.1');
    t.equal(c.DATABASE_URL, undefined);
    t.equal(c.DB_POOL_MAX, 10);
    t.same(c.API_KEYS, []);
    t.same(c.CORS_ORIGINS, []);
    t.equal(c.RATE_LIMIT_PER_MINUTE, 0);
    t.equal(c.MAX_EVENT_LOOP_DELAY_MS, undefined, 'by database: 1000 ms on PostgreSQL, off on PGlite');
    t.equal(c.MAX_HEAP_FRACTION, 0.95);
    t.equal(c.REVENUE_CURRENCY, 'USD');
    t.equal(c.DELIVERY_ALLOW_HTTP, false);
    t.equal(c.PUBLIC_URL, 'http://127.0.0.1:3000');
  },
);

t.test('an empty string is the same as unset', async (t) => {
  t.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT, 3000);
  t.equal(loadConfig({ DATABASE_URL: '' }).DATABASE_URL, undefined);
});

t.test('values are parsed: numbers, flags, lists, URLs', async (t) => {
  const c = loadConfig({
    PORT: '8080',
    DATABASE_URL: 'postgresql://u@h/db',
    API_KEYS: 'read:readsecret, admin:adminsecret1',
    CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
    DELIVERY_ALLOW_HTTP: '1',
    DELIVERY_ALLOW_PRIVATE: 'true',
    PUBLIC_URL: 'https://liftoff.example.com/',
    MAX_HEAP_FRACTION: '0',
  });
  t.equal(c.PORT, 8080);
  t.same(c.API_KEYS, [
    { scope: 'read', secret: 'readsecret' },
    { scope: 'admin', secret: 'adminsecret1' },
  ]);
  t.same(c.CORS_ORIGINS, ['https://a.example.com', 'http://localhost:5173']);
  t.equal(c.DELIVERY_ALLOW_HTTP, true);
  t.equal(c.DELIVERY_ALLOW_PRIVATE, true);
  t.equal(c.PUBLIC_URL, 'https://liftoff.example.com', 'trailing slash dropped');
  t.equal(c.MAX_HEAP_FRACTION, 0);
});

t.test('every bad value is a ConfigError naming its variable', async (t) => {
  const bad: Record<string, string>[] = [
    { PORT: '70000' },
    { PORT: 'eighty' },
    { PORT: '80.5' },
    { DB_POOL_MAX: '0' },
    { DATABASE_URL: 'mysql://h/db' },
    { LOG_LEVEL: 'verbose' },
    { NODE_ENV: 'staging' },
    { API_KEYS: 'read:short' },
    { API_KEYS: 'root:longenoughsecret' },
    { API_KEYS: ':longenoughsecret' },
    { API_KEYS: 'read:longenoughsecret,' },
    { DELIVERY_ALLOW_HTTP: 'yes' },
    { REVENUE_CURRENCY: 'usd' },
    { PUBLIC_URL: 'ftp://x' },
    { SMTP_URL: 'http://mail' },
    { MAX_HEAP_FRACTION: '1.5' },
    { MAX_EVENT_LOOP_DELAY_MS: '-1' },
    { ANALYTICS_TIMEOUT_MS: '5' },
  ];
  for (const env of bad) {
    const name = Object.keys(env)[0]!;
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof ConfigError, `${name}=${env[name]} is refused`);
    t.match((caught as Error | undefined)?.message, new RegExp(`\\b${name}:`), `the message names ${name}`);
  }
});

t.test('cross-variable rules', async (t) => {
  t.throws(() => loadConfig({ NODE_ENV: 'production' }), /API_KEYS: required when NODE_ENV=production/);
  t.equal(loadConfig({ NODE_ENV: 'production', API_KEYS: 'admin:0123456789abcdef' }).NODE_ENV, 'production');
  t.throws(
    () => loadConfig({ DATABASE_READ_URL: 'postgres://r/db' }),
    /DATABASE_READ_URL: needs DATABASE_URL/,
  );
});

t.test('several bad values are reported together', async (t) => {
  t.throws(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' }), /PORT[\s\S]*LOG_LEVEL/);
});

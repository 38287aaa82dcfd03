import { Webhook } from 'standardwebhooks';
import t from 'tap';
import { classify, nextDelaySeconds, retryAfterSeconds } from '../../../src/alerts/retry-policy.js';
import { signWebhook } from '../../../src/alerts/signing.js';
import { checkUrl, isPrivateAddress } from '../../../src/alerts/target-guard.js';

t.test('Standard Webhooks signature: the specification example and the reference library', async (t) => {
  // The example of the Standard Webhooks README.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';
  t.equal(signWebhook(secret, id, 1614265330, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  const ts = Math.floor(Date.now() / 1000);
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(secret, id, ts, body),
  };
  t.same(new Webhook(secret).verify(body, headers), { test: 2432232314 });
});

t.test('outcomes by status', async (t) => {
  t.equal(classify(200), 'succeeded');
  t.equal(classify(204), 'succeeded');
  t.equal(classify(410), 'gone');
  t.equal(classify(429), 'retry');
  t.equal(classify(500), 'retry');
  t.equal(classify(503), 'retry');
  t.equal(classify(null), 'retry', 'network error');
  t.equal(classify(400), 'failed');
  t.equal(classify(404), 'failed');
  t.equal(classify(301), 'failed', 'redirects are not followed');
  t.equal(classify(250, true), 'succeeded');
  t.equal(classify(451, true), 'retry', 'SMTP 4xx is transient');
  t.equal(classify(550, true), 'failed');
});

t.test(
  'backoff about 5 s, 30 s, 2 min, 10 min, 1 h with ±20 % jitter; Retry-After wins when longer',
  async (t) => {
    t.same(
      [1, 2, 3, 4, 5, 6].map((n) => nextDelaySeconds(n, null, () => 0.5)),
      [5, 30, 120, 600, 3600, 3600],
    );
    t.equal(
      nextDelaySeconds(1, null, () => 0),
      4,
    );
    t.ok(Math.abs(nextDelaySeconds(1, null, () => 1) - 6) < 1e-9);
    t.equal(
      nextDelaySeconds(2, 120, () => 0.5),
      120,
    );
    t.equal(
      nextDelaySeconds(4, 120, () => 0.5),
      600,
    );
    const now = new Date('2026-01-01T00:00:00Z');
    t.equal(retryAfterSeconds('90', now), 90);
    t.equal(retryAfterSeconds('86400', now), 3600, 'capped at 1 h');
    t.equal(retryAfterSeconds('Thu, 01 Jan 2026 00:05:00 GMT', now), 300);
    t.equal(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    t.equal(retryAfterSeconds('soon', now), null);
    t.equal(retryAfterSeconds(null, now), null);
  },
);

t.test('private, loopback and link-local addresses', async (t) => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ]) {
    t.ok(isPrivateAddress(a), a);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1'])
    t.notOk(isPrivateAddress(a), a);
  const strict = { allowHttp: false, allowPrivate: false };
  t.throws(() => checkUrl(new URL('http://example.com/'), strict), /https only/);
  t.throws(() => checkUrl(new URL('https://10.0.0.1/'), strict), /private/);
  t.throws(() => checkUrl(new URL('https://[::1]/'), strict), /private/);
  t.doesNotThrow(() => checkUrl(new URL('https://93.184.216.34/'), strict));
  t.doesNotThrow(() => checkUrl(new URL('http://127.0.0.1/'), { allowHttp: true, allowPrivate: true }));
});

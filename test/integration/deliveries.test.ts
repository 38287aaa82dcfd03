import { SMTPServer } from 'smtp-server';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { build, json, testDatabase } from '../helper.js';
import { FakeClock, receiver } from '../support/receiver.js';
import { RECOMPUTE_INVITE_PREDECESSORS } from '../../src/viral/invites-ingest.js';

type App = Awaited<ReturnType<typeof build>>;
const ENV = { DELIVERY_ALLOW_HTTP: 'true', DELIVERY_ALLOW_PRIVATE: 'true', ALERT_INTERVAL_SECONDS: '0' };
const S = 1000;

interface DeliveryOut {
  status: string;
  nextAttemptAt: string | null;
  attempts: { at: string; statusCode: number | null; error: string | null; durationMs: number }[];
}

/** A k_factor_below rule that fires (K = 0.2 < 0.5) with the given channels; evaluated once. */
async function firing(app: App, channels: object[]) {
  await app.db.knex.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, signup_user_id, signed_up_at)
     SELECT 'i' || g, 'r' || (g % 20), 'buddy', now() - interval '1 hour',
            CASE WHEN g <= 4 THEN 'u' || g END, CASE WHEN g <= 4 THEN now() - interval '30 minutes' END
       FROM generate_series(1, 40) g`,
  );
  await app.db.knex.raw(RECOMPUTE_INVITE_PREDECESSORS);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/alerts',
    payload: { name: 'K below 0.5', type: 'k_factor_below', params: { threshold: 0.5 }, channels },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  const id = json<{ id: string }>(res).id;
  await app.inject({ method: 'POST', url: `/v1/alerts/${id}/evaluate` });
  await app.services.deliveries.idle();
  return id;
}

const deliveries = async (app: App, id: string) =>
  json<{ items: DeliveryOut[] }>(await app.inject({ url: `/v1/alerts/${id}/deliveries` })).items;

t.test('retries on 5xx and 429 with backoff, honouring Retry-After (seconds and HTTP date)', async (t) => {
  const clock = new FakeClock(Math.floor(Date.now() / S) * S); // whole seconds, as HTTP dates have
  const app = await build(t, ENV, { clock, alerts: { random: () => 0.5 } });
  const hook = await receiver(t);
  hook.reply(500);
  hook.reply(429, { 'retry-after': '120' });
  hook.reply(503, { 'retry-after': new Date(clock.now().getTime() + 600 * S).toUTCString() });
  const id = await firing(app, [{ type: 'webhook', url: hook.url }]);
  const start = clock.now().getTime();
  let [d] = await deliveries(app, id);
  t.equal(d!.status, 'pending');
  t.equal(d!.attempts[0]!.statusCode, 500);
  t.equal(d!.attempts[0]!.error, 'HTTP 500');
  t.equal(Date.parse(d!.nextAttemptAt!) - start, 5 * S, 'first retry after 5 s (jitter factor 1)');

  clock.advance(4 * S);
  t.equal(await app.services.deliveries.processDue(), 0, 'not due yet');
  clock.advance(1 * S);
  t.equal(await app.services.deliveries.processDue(), 1);
  [d] = await deliveries(app, id);
  t.equal(d!.attempts[1]!.statusCode, 429);
  t.equal(
    Date.parse(d!.nextAttemptAt!) - clock.now().getTime(),
    120 * S,
    'Retry-After 120 s beats the 30 s backoff',
  );

  clock.advance(120 * S);
  await app.services.deliveries.processDue();
  [d] = await deliveries(app, id);
  t.equal(d!.attempts[2]!.statusCode, 503);
  // The date is 600 s after the start, 475 s after this attempt: longer than the 2 min backoff.
  t.equal(Date.parse(d!.nextAttemptAt!) - clock.now().getTime(), 475 * S, 'Retry-After as an HTTP date');

  clock.advance(600 * S);
  await app.services.deliveries.processDue();
  [d] = await deliveries(app, id);
  t.equal(d!.status, 'succeeded');
  t.same(
    d!.attempts.map((a) => a.statusCode),
    [500, 429, 503, 200],
  );
  t.ok(d!.attempts.every((a) => typeof a.durationMs === 'number' && a.at.endsWith('Z')));
  const ids = new Set(hook.received.map((r) => r.headers['webhook-id']));
  t.equal(ids.size, 1, 'the same webhook-id on every retry');
  t.equal(JSON.parse(hook.received[3]!.body).id, [...ids][0]);
});

t.test('DELIVERY_MAX_ATTEMPTS; other 4xx not retried; 410 disables the channel', async (t) => {
  const clock = new FakeClock();
  const app = await build(t, { ...ENV, DELIVERY_MAX_ATTEMPTS: '2' }, { clock, alerts: { random: () => 0 } });
  const failing = await receiver(t);
  const rejecting = await receiver(t);
  const gone = await receiver(t);
  failing.reply(502);
  failing.reply(502);
  rejecting.reply(400);
  gone.reply(410);
  const id = await firing(app, [
    { type: 'webhook', url: failing.url },
    { type: 'webhook', url: rejecting.url },
    { type: 'slack', url: gone.url },
  ]);
  clock.advance(4 * S); // jitter factor 0.8: the retry is due after 4 s
  await app.services.deliveries.processDue();
  const byUrl = await deliveries(app, id);
  t.same(byUrl.map((d) => [d.status, d.attempts.map((a) => a.statusCode)]).sort(), [
    ['failed', [400]],
    ['failed', [410]],
    ['failed', [502, 502]],
  ]);
  t.equal(failing.received.length, 2);
  t.equal(rejecting.received.length, 1);
  const rule = json<{ channels: { type: string; disabled: boolean; disabledReason: string | null }[] }>(
    await app.inject({ url: `/v1/alerts/${id}` }),
  );
  t.match(rule.channels[2], { type: 'slack', disabled: true, disabledReason: '410 Gone' });
  const slack = JSON.parse(gone.received[0]!.body) as { text: string; blocks: { type: string }[] };
  t.match(slack.text, /Firing: K below 0.5/);
  t.ok(slack.blocks.length >= 2);
});

t.test('private and plain-http targets are refused at send time unless allowed', async (t) => {
  const app = await build(t, { DELIVERY_ALLOW_HTTP: 'true', ALERT_INTERVAL_SECONDS: '0' });
  const hook = await receiver(t);
  const id = await firing(app, [
    { type: 'webhook', url: hook.url },
    { type: 'webhook', url: hook.url.replace('127.0.0.1', 'localhost') },
  ]);
  const items = await deliveries(app, id);
  t.equal(items.length, 2);
  for (const d of items) {
    t.equal(d.status, 'failed');
    t.match(d.attempts[0]!.error, /^refused: .*loopback, private or link-local/);
  }
  t.equal(hook.received.length, 0);
});

t.test('each attempt times out; a pending delivery survives a restart', async (t) => {
  const clock = new FakeClock();
  const app = await build(t, ENV, { clock, alerts: { timeoutMs: 300, random: () => 0.5 } });
  const hook = await receiver(t);
  hook.reply(200, {}, 1500);
  const id = await firing(app, [{ type: 'webhook', url: hook.url }]);
  let [d] = await deliveries(app, id);
  t.equal(d!.status, 'pending');
  t.match(d!.attempts[0]!.error, /timed out after 0.3 s/);
  await app.close();

  const restarted = await buildApp({
    config: configFrom(ENV),
    db: await testDatabase(),
    migrate: false,
    clock,
  });
  t.teardown(() => restarted.close());
  await restarted.ready();
  clock.advance(5 * S);
  await restarted.services.deliveries.processDue();
  [d] = await deliveries(restarted, id);
  t.equal(d!.status, 'succeeded');
  t.equal(hook.received.length, 2);
});

t.test('email through SMTP_URL, text and HTML', async (t) => {
  const mails: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  const port = (smtp.server.address() as { port: number }).port;
  const app = await build(t, {
    ...ENV,
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    ALERT_EMAIL_FROM: 'Liftoff <alerts@example.com>',
    PUBLIC_URL: 'https://liftoff.example.com/',
  });
  const id = await firing(app, [{ type: 'email', to: ['growth@example.com', 'ops@example.com'] }]);
  const [d] = await deliveries(app, id);
  t.equal(d!.status, 'succeeded', JSON.stringify(d));
  t.equal(d!.attempts[0]!.statusCode, 250);
  t.equal(mails.length, 1);
  const mail = mails[0]!;
  t.match(mail, /^From: Liftoff <alerts@example.com>/m);
  t.match(mail, /^To: growth@example.com, ops@example.com/m);
  t.match(mail, /^Subject: =\?UTF-8\?Q\?.*Firing=3A_K_below_0=2E5\?=/m, 'RFC 2047 encoded subject');
  t.match(mail, /Content-Type: text\/plain/);
  t.match(mail, /Content-Type: text\/html/);
  t.match(mail.replace(/=\r?\n/g, ''), `https://liftoff.example.com/v1/alerts/${id}`);
});

import { Webhook } from 'standardwebhooks';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { configFrom } from '../../src/config.js';
import { build, json, testDatabase } from '../helper.js';
import { FakeClock, receiver } from '../support/receiver.js';
import { RECOMPUTE_INVITE_PREDECESSORS } from '../../src/viral/invites-ingest.js';

type App = Awaited<ReturnType<typeof build>>;
const ENV = { DELIVERY_ALLOW_HTTP: 'true', DELIVERY_ALLOW_PRIVATE: 'true', ALERT_INTERVAL_SECONDS: '0' };

/** n invites from n/2 referrers sent an hour ago; `converted` of them signed up. */
async function invites(app: App, prefix: string, n: number, converted: number) {
  await app.db.knex.raw(
    `INSERT INTO invites (invite_id, referrer_id, source, sent_at, signup_user_id, signed_up_at)
     SELECT :p || g, 'r' || (g % (:n / 2)), 'buddy', now() - interval '1 hour',
            CASE WHEN g <= :c THEN :p || 'u' || g END, CASE WHEN g <= :c THEN now() - interval '30 minutes' END
       FROM generate_series(1, :n::int) g`,
    { p: prefix, n, c: converted },
  );
  await app.db.knex.raw(RECOMPUTE_INVITE_PREDECESSORS);
}

const create = async (app: App, body: object) => {
  const res = await app.inject({ method: 'POST', url: '/v1/alerts', payload: body });
  return { res, body: json<Record<string, unknown>>(res) };
};

t.test('CRUD: defaults, a generated secret shown once, field-named errors', async (t) => {
  const app = await build(t, ENV);
  const { res, body } = await create(app, {
    name: 'K low',
    type: 'k_factor_below',
    params: { threshold: 0.8 },
    channels: [
      { type: 'webhook', url: 'https://hooks.example.com/x' },
      { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
    ],
  });
  t.equal(res.statusCode, 201, res.body);
  t.same(body.params, { threshold: 0.8, days: 7, minInvites: 30 });
  t.equal(body.cooldownMinutes, 60);
  t.equal(body.enabled, true);
  t.equal(body.state, 'ok');
  const channels = body.channels as { secret?: string; type: string; disabled: boolean }[];
  t.match(channels[0]!.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  t.notOk('secret' in channels[1]!);
  const got = json<{ channels: object[] }>(await app.inject({ url: `/v1/alerts/${String(body.id)}` }));
  t.notOk(
    got.channels.some((c) => 'secret' in c),
    'never shown again',
  );
  const list = json<{ items: unknown[] }>(await app.inject({ url: '/v1/alerts' }));
  t.equal(list.items.length, 1);

  const patched = await app.inject({
    method: 'PATCH',
    url: `/v1/alerts/${String(body.id)}`,
    payload: { params: { threshold: 1, days: 14 }, cooldownMinutes: 5 },
  });
  t.equal(patched.statusCode, 200, patched.body);
  t.same(json<{ params: object }>(patched).params, { threshold: 1, days: 14, minInvites: 30 });

  for (const [payload, path] of [
    [{ name: 'x', type: 'k_factor_below', params: {} }, 'params.threshold'],
    [{ name: 'x', type: 'nope', params: {} }, 'type'],
    [{ name: 'x', type: 'srm', channels: [{ type: 'webhook', url: 'ftp://x' }] }, 'channels.0.url'],
    [
      { name: 'x', type: 'srm', channels: [{ type: 'webhook', url: 'https://x.io', secret: 'abc' }] },
      'channels.0.secret',
    ],
    [{ name: 'x', type: 'srm', channels: [{ type: 'email', to: ['a@example.com'] }] }, 'channels.0.type'],
    [{ name: 'x', type: 'significant', params: { alpha: 2 } }, 'params.alpha'],
  ] as const) {
    const r = await app.inject({ method: 'POST', url: '/v1/alerts', payload });
    t.equal(r.statusCode, 400, JSON.stringify(payload));
    t.equal(json<{ errors: { path: string }[] }>(r).errors[0]!.path, path, JSON.stringify(payload));
  }
  const badPatch = await app.inject({
    method: 'PATCH',
    url: `/v1/alerts/${String(body.id)}`,
    payload: { params: { threshold: 'low' } },
  });
  t.equal(badPatch.statusCode, 400);
  t.equal(json<{ errors: { path: string }[] }>(badPatch).errors[0]!.path, 'params.threshold');

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/alerts/${String(body.id)}` })).statusCode, 204);
  const gone = await app.inject({ url: `/v1/alerts/${String(body.id)}` });
  t.equal(gone.statusCode, 404);
  t.equal(json<{ code: string }>(gone).code, 'alert_not_found');
  t.equal((await app.inject({ url: '/v1/alerts/not-a-uuid' })).statusCode, 400);
});

t.test('https only without DELIVERY_ALLOW_HTTP', async (t) => {
  const app = await build(t, { ALERT_INTERVAL_SECONDS: '0' });
  const { res, body } = await create(app, {
    name: 'x',
    type: 'srm',
    channels: [{ type: 'webhook', url: 'http://hooks.example.com/x' }],
  });
  t.equal(res.statusCode, 400);
  t.match(body, { errors: [{ path: 'channels.0.url' }] });
});

t.test('firing → cooldown → reminder → resolved, signed webhooks', async (t) => {
  const clock = new FakeClock();
  const app = await build(t, ENV, { clock });
  const hook = await receiver(t);
  await invites(app, 'a', 40, 4); // K = 4 / 20 = 0.2
  const { body } = await create(app, {
    name: 'K below 0.5',
    type: 'k_factor_below',
    params: { threshold: 0.5 },
    cooldownMinutes: 60,
    channels: [{ type: 'webhook', url: hook.url }],
  });
  const secret = (body.channels as { secret: string }[])[0]!.secret;
  const id = String(body.id);
  const evaluate = async () =>
    json<Record<string, unknown>>(await app.inject({ method: 'POST', url: `/v1/alerts/${id}/evaluate` }));

  const first = await evaluate();
  t.equal(first.state, 'firing');
  t.match(first.subjects, [{ subject: '', state: 'firing', details: { kFactor: 0.2, invites: 40 } }]);
  const [msg] = await hook.waitFor(1);
  await app.services.deliveries.idle();
  const verified = new Webhook(secret).verify(msg!.body, {
    'webhook-id': msg!.headers['webhook-id'] as string,
    'webhook-timestamp': msg!.headers['webhook-timestamp'] as string,
    'webhook-signature': msg!.headers['webhook-signature'] as string,
  }) as { id: string; type: string; data: { state: string; link: string; rule: { id: string } } };
  t.equal(verified.type, 'alert.firing');
  t.equal(verified.id, msg!.headers['webhook-id']);
  t.equal(verified.data.state, 'firing');
  t.equal(verified.data.link, `http://127.0.0.1:3000/v1/alerts/${id}`);
  t.throws(() =>
    new Webhook(secret).verify(msg!.body.replace('firing', 'resolved'), {
      'webhook-id': msg!.headers['webhook-id'] as string,
      'webhook-timestamp': msg!.headers['webhook-timestamp'] as string,
      'webhook-signature': msg!.headers['webhook-signature'] as string,
    }),
  );

  await evaluate();
  await app.services.deliveries.idle();
  clock.advance(30 * 60_000);
  await evaluate();
  await app.services.deliveries.processDue();
  t.equal(hook.received.length, 1, 'no repeat within the cooldown');

  clock.advance(31 * 60_000);
  await evaluate();
  await hook.waitFor(2);
  await app.services.deliveries.idle();
  t.equal(JSON.parse(hook.received[1]!.body).data.reminder, true);

  await invites(app, 'b', 40, 36); // K = 40 / 40 = 1.0 (same referrers r0…r19)
  const resolved = await evaluate();
  t.equal(resolved.state, 'ok');
  await hook.waitFor(3);
  await app.services.deliveries.idle();
  t.equal(JSON.parse(hook.received[2]!.body).type, 'alert.resolved');

  const events = json<{ items: { kind: string }[] }>(await app.inject({ url: `/v1/alerts/${id}/events` }));
  t.same(
    events.items.map((e) => e.kind),
    ['resolved', 'reminder', 'firing'],
  );
  const deliveries = json<{ items: { status: string; attempts: { statusCode: number }[] }[] }>(
    await app.inject({ url: `/v1/alerts/${id}/deliveries` }),
  );
  t.equal(deliveries.items.length, 3);
  t.ok(deliveries.items.every((d) => d.status === 'succeeded' && d.attempts[0]!.statusCode === 200));
});

t.test('below minInvites the rule does not fire; a disabled rule is not evaluated', async (t) => {
  const app = await build(t, ENV);
  await invites(app, 'a', 10, 0);
  const { body } = await create(app, { name: 'K', type: 'k_factor_below', params: { threshold: 0.5 } });
  const r = json<{ state: string; subjects: { details: { summary: string } }[] }>(
    await app.inject({ method: 'POST', url: `/v1/alerts/${String(body.id)}/evaluate` }),
  );
  t.equal(r.state, 'ok');
  t.match(r.subjects[0]!.details.summary, /Only 10 invites/);
  await app.inject({ method: 'PATCH', url: `/v1/alerts/${String(body.id)}`, payload: { enabled: false } });
  const off = await app.inject({ method: 'POST', url: `/v1/alerts/${String(body.id)}/evaluate` });
  t.equal(off.statusCode, 409);
});

t.test('two instances on one database: exactly one notification per firing', async (t) => {
  const clock = new FakeClock();
  const app = await build(t, ENV, { clock });
  const other = await buildApp({ config: configFrom(ENV), db: await testDatabase(), migrate: false, clock });
  t.teardown(() => other.close());
  await other.ready();
  const hook = await receiver(t);
  await invites(app, 'a', 40, 4);
  const { body } = await create(app, {
    name: 'K',
    type: 'k_factor_below',
    params: { threshold: 0.5 },
    channels: [{ type: 'webhook', url: hook.url }],
  });
  const id = String(body.id);
  // Scheduler ticks of both instances and on-demand evaluations, all at once.
  const runs = await Promise.all([
    app.jobs.alerts.runOnce(),
    other.jobs.alerts.runOnce(),
    app.inject({ method: 'POST', url: `/v1/alerts/${id}/evaluate` }),
    other.inject({ method: 'POST', url: `/v1/alerts/${id}/evaluate` }),
  ]);
  t.equal(runs.slice(0, 2).filter((r) => r === true).length >= 1, true);
  await hook.waitFor(1);
  await Promise.all([app.services.deliveries.processDue(), other.services.deliveries.processDue()]);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(hook.received.length, 1);
  const events = json<{ items: unknown[] }>(await app.inject({ url: `/v1/alerts/${id}/events` }));
  t.equal(events.items.length, 1);
});

t.test('the scheduler evaluates every ALERT_INTERVAL_SECONDS and stops on close', async (t) => {
  const app = await build(t, { ...ENV, ALERT_INTERVAL_SECONDS: '1' });
  const hook = await receiver(t);
  await invites(app, 'a', 40, 4);
  const { body } = await create(app, {
    name: 'K',
    type: 'k_factor_below',
    params: { threshold: 0.5 },
    channels: [{ type: 'webhook', url: hook.url }],
  });
  await hook.waitFor(1);
  const events = json<{ items: { kind: string }[] }>(
    await app.inject({ url: `/v1/alerts/${String(body.id)}/events` }),
  );
  t.same(
    events.items.map((e) => e.kind),
    ['firing'],
  );
  await app.close();
});

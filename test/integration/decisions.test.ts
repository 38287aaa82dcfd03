import t from 'tap';
import { build, json, startedExperiment } from '../helper.js';
import * as resultAggregates from '../../migrations/20261204300000_result_aggregates.js';
import { receiver } from '../support/receiver.js';

type App = Awaited<ReturnType<typeof build>>;
const ENV = { DELIVERY_ALLOW_HTTP: 'true', DELIVERY_ALLOW_PRIVATE: 'true', ALERT_INTERVAL_SECONDS: '0' };

/**
 * `exposed` users per variant exposed two hours ago; `converted` of them converted on `metric` an hour ago. Rows are
 * written directly (the API cannot choose a user's variant), then the result aggregates are rebuilt from them by
 * the migration that backfills them, as for data stored before the aggregates existed.
 */
async function traffic(
  app: App,
  key: string,
  variant: string,
  exposed: number,
  converted: Record<string, number>,
) {
  const { id } = (await app.db.knex('experiments').where({ key }).first('id')) as { id: number };
  await app.db.knex.raw(
    `INSERT INTO assignments (experiment_id, user_id, variant, assigned_at, exposed_at)
     SELECT :id, :v || g, :v, now() - interval '2 hours', now() - interval '2 hours' FROM generate_series(1, :n::int) g`,
    { id, v: variant, n: exposed },
  );
  for (const [metric, n] of Object.entries(converted)) {
    await app.db.knex.raw(
      `INSERT INTO conversions (experiment_id, metric, user_id, occurred_at)
       SELECT :id, :m, :v || g, now() - interval '1 hour' FROM generate_series(1, :n::int) g`,
      { id, m: metric, v: variant, n },
    );
  }
  await resultAggregates.down(app.db.knex);
  await resultAggregates.up(app.db.knex);
}

const decision = async (app: App, key: string) =>
  json<{ decision: string; variant?: string; reasons: string[]; declared: boolean }>(
    await app.inject({ url: `/v1/experiments/${key}/decision` }),
  );

t.test('defaults are filled in; without data the decision is wait', async (t) => {
  const app = await build(t, ENV);
  await startedExperiment(app, { key: 'plain' });
  const e = json<{ decisionPolicy: unknown }>(await app.inject({ url: '/v1/experiments/plain' }));
  t.same(e.decisionPolicy, {
    primaryMetric: 'conversion',
    guardrails: [],
    minDays: 7,
    minUsersPerVariant: 100,
    maxDays: null,
    autoDeclare: false,
    channels: [],
  });
  const d = await decision(app, 'plain');
  t.equal(d.decision, 'wait');
  t.match(d.reasons.join('\n'), /of the minimum 7 days/);
  t.match(d.reasons.join('\n'), /control: 0 of 100 exposed users/);
  const patched = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/plain',
    payload: {
      decisionPolicy: { minDays: 0, guardrails: [{ metric: 'refund', direction: 'lower_is_better' }] },
    },
  });
  t.equal(patched.statusCode, 200, 'a running experiment takes a policy');
  t.match(json(patched), {
    status: 'running',
    decisionPolicy: { minDays: 0, guardrails: [{ metric: 'refund' }] },
  });
  const bad = await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/plain',
    payload: { decisionPolicy: { minDays: 5, maxDays: 2 } },
  });
  t.equal(bad.statusCode, 400);
  t.equal(json<{ errors: { path: string }[] }>(bad).errors[0]!.path, 'decisionPolicy.maxDays');
  t.equal((await app.inject({ url: '/v1/experiments/none/decision' })).statusCode, 404);
});

t.test('invalid on SRM, rollback on a harmed guardrail', async (t) => {
  const app = await build(t, ENV);
  await startedExperiment(app, { key: 'srm', decisionPolicy: { minDays: 0 } });
  await traffic(app, 'srm', 'control', 1000, { conversion: 100 });
  await traffic(app, 'srm', 'variant_a', 700, { conversion: 70 });
  t.equal((await decision(app, 'srm')).decision, 'invalid');

  await startedExperiment(app, {
    key: 'guard',
    decisionPolicy: { minDays: 0, guardrails: [{ metric: 'refund', direction: 'lower_is_better' }] },
  });
  await traffic(app, 'guard', 'control', 2000, { conversion: 200, refund: 20 });
  await traffic(app, 'guard', 'variant_a', 2000, { conversion: 300, refund: 120 });
  const d = await decision(app, 'guard');
  t.equal(d.decision, 'rollback');
  t.equal(d.variant, 'variant_a');
  t.match(d.reasons[0], /guardrail refund \(lower_is_better\) harmed/);
});

t.test('ship with autoDeclare declares the winner once and notifies', async (t) => {
  const app = await build(t, ENV);
  const hook = await receiver(t);
  const created = await app.inject({
    method: 'POST',
    url: '/v1/experiments',
    payload: {
      key: 'ship',
      variants: [{ key: 'control' }, { key: 'variant_a' }],
      decisionPolicy: { minDays: 0, autoDeclare: true, channels: [{ type: 'webhook', url: hook.url }] },
    },
  });
  t.equal(created.statusCode, 201, created.body);
  const channels = json<{ decisionPolicy: { channels: { secret?: string }[] } }>(created).decisionPolicy
    .channels;
  t.match(channels[0]!.secret, /^whsec_/, 'the generated secret, once');
  await app.inject({ method: 'POST', url: '/v1/experiments/ship/start' });
  await traffic(app, 'ship', 'control', 2000, { conversion: 200 });
  await traffic(app, 'ship', 'variant_a', 2000, { conversion: 300 });
  const [first, second] = await Promise.all([decision(app, 'ship'), decision(app, 'ship')]);
  t.equal(first!.decision, 'ship');
  t.equal(first!.variant, 'variant_a');
  t.equal([first!.declared, second!.declared].filter(Boolean).length, 1, 'declared once');
  const e = json<{ status: string; winner: string }>(await app.inject({ url: '/v1/experiments/ship' }));
  t.match(e, { status: 'completed', winner: 'variant_a' });
  const history = json<{ items: { action: string; actor: string }[] }>(
    await app.inject({ url: '/v1/experiments/ship/history' }),
  );
  t.match(history.items.at(-1), { actor: 'system:decision-policy' });
  const [msg] = await hook.waitFor(1);
  const body = JSON.parse(msg!.body) as { type: string; data: { variant: string } };
  t.equal(body.type, 'experiment.decided');
  t.equal(body.data.variant, 'variant_a');
  await app.services.deliveries.idle();
  t.equal(hook.received.length, 1);
});

t.test('without autoDeclare a ship only advises', async (t) => {
  const app = await build(t, ENV);
  await startedExperiment(app, { key: 'advise', decisionPolicy: { minDays: 0, maxDays: 30 } });
  await traffic(app, 'advise', 'control', 2000, { conversion: 200 });
  await traffic(app, 'advise', 'variant_a', 2000, { conversion: 300 });
  const d = await decision(app, 'advise');
  t.match(d, { decision: 'ship', variant: 'variant_a', declared: false });
  t.equal(json<{ status: string }>(await app.inject({ url: '/v1/experiments/advise' })).status, 'running');
});

t.test('continue while nothing is significant; inconclusive once maxDays passed', async (t) => {
  const app = await build(t, ENV);
  // Started an hour ago, so that a maxDays of 0.01 (14.4 minutes) has certainly passed, however fast the machine.
  await startedExperiment(
    app,
    { key: 'flat', decisionPolicy: { minDays: 0 } },
    new Date(Date.now() - 3_600_000).toISOString(),
  );
  await traffic(app, 'flat', 'control', 500, { conversion: 50 });
  await traffic(app, 'flat', 'variant_a', 500, { conversion: 52 });
  t.equal((await decision(app, 'flat')).decision, 'continue');
  await app.inject({
    method: 'PATCH',
    url: '/v1/experiments/flat',
    payload: { decisionPolicy: { minDays: 0, maxDays: 0.01 } },
  });
  t.equal((await decision(app, 'flat')).decision, 'inconclusive');
});

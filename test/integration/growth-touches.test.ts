import fc from 'fast-check';
import t, { type Test } from 'tap';
import { AttributionStore, type AttributionModel } from '../../src/growth/attribution-store.js';
import { build, emptyDatabase, usingPostgres } from '../helper.js';
import { recountAttribution, recountTouches, storedTouches } from '../support/touches-recount.js';

/*
 * signup_touches (attribution's touches, kept by the click and signup ingest statements) against a recount from
 * users, invite_clicks and invites, after random interleavings of clicks and invite signups (single endpoints and
 * /v1/events batches, repeated click ids, clicks arriving after the signup they belong to, clicks earlier than an
 * invite's first click, clicks beyond the longest look-back); then attribution against the query over those rows.
 * On PostgreSQL the commands run in concurrent groups, so a visitor's click and signup race each other.
 */

type App = Awaited<ReturnType<typeof build>>;

const START = Date.parse('2025-01-01T00:00:00Z');
const DAY = 86_400_000;
const INVITES = [
  { inviteId: 'i0', referrerId: 'r0', source: 'loop_a' },
  { inviteId: 'i1', referrerId: 'r0', source: 'loop_b' },
  { inviteId: 'i2', referrerId: 'r1', source: 'loop_a' },
  { inviteId: 'i3', referrerId: 'r2', source: 'loop_c' },
  { inviteId: 'i4', referrerId: 'r1', source: 'loop_b' },
];
// Times over 420 days: look-back edges (1, 30 and 365 days), ties, and some hours apart.
const time = fc
  .tuple(fc.constantFrom(0, 1, 2, 30, 31, 60, 365, 366, 367, 400, 420), fc.constantFrom(0, 0, 1, 5, 23))
  .map(([d, h]) => new Date(START + d * DAY + h * 3_600_000).toISOString());
const visitor = fc.option(fc.constantFrom('v0', 'v1', 'v2'), { nil: undefined, freq: 5 });
const invite = fc.constantFrom(...INVITES.map((i) => i.inviteId));

const click = fc.record({
  kind: fc.constant('click' as const),
  inviteId: invite,
  clickId: fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5'),
  visitorId: visitor,
  occurredAt: time,
});
const signup = fc.record({
  kind: fc.constant('signup' as const),
  inviteId: invite,
  userId: fc.constantFrom('u0', 'u1', 'u2', 'u3', 'u4', 'u5'),
  visitorId: visitor,
  occurredAt: time,
});
const batch = fc.record({
  kind: fc.constant('events' as const),
  events: fc.array(fc.oneof(click, click, signup), { minLength: 1, maxLength: 8 }),
});
const command = fc.oneof(
  { arbitrary: click, weight: 5 },
  { arbitrary: signup, weight: 2 },
  { arbitrary: batch, weight: 2 },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

const post = (app: App, url: string, payload: object) => app.inject({ method: 'POST', url, payload });

function run(app: App, c: Command) {
  switch (c.kind) {
    case 'click': {
      const { kind: _kind, inviteId, ...body } = c;
      return post(app, `/v1/invites/${inviteId}/clicks`, body);
    }
    case 'signup': {
      const { kind: _kind, inviteId, ...body } = c;
      return post(app, `/v1/invites/${inviteId}/signups`, body);
    }
    case 'events':
      return post(app, '/v1/events', {
        events: c.events.map(({ kind, ...e }) => ({
          type: kind === 'click' ? 'invite_clicked' : 'invite_signed_up',
          ...e,
        })),
      });
  }
}

const MODELS: AttributionModel[] = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'];

/** Deep equality with numbers compared to 1e-9 (relative). */
function close(actual: unknown, want: unknown): boolean {
  if (typeof want === 'number' && typeof actual === 'number')
    return Math.abs(actual - want) <= 1e-9 * Math.max(1, Math.abs(want));
  if (Array.isArray(want) && Array.isArray(actual))
    return actual.length === want.length && want.every((w, k) => close(actual[k], w));
  if (want !== null && typeof want === 'object' && actual !== null && typeof actual === 'object')
    return Object.entries(want).every(([k, w]) => close((actual as Record<string, unknown>)[k], w));
  return actual === want;
}

async function check(t: Test, app: App, commands: Command[], groups: number[]) {
  await emptyDatabase(app.db);
  for (const i of INVITES) {
    const r = await post(app, '/v1/invites', { ...i, sentAt: new Date(START).toISOString() });
    if (r.statusCode !== 200 && r.statusCode !== 201) throw new Error(r.body);
  }
  let i = 0;
  for (const size of groups) {
    const group = commands.slice(i, i + size);
    i += size;
    if (group.length === 0) break;
    const answers = await Promise.all(group.map((c) => run(app, c)));
    for (const a of answers) if (a.statusCode >= 500) throw new Error(a.body);
  }
  const stored = await storedTouches(app.db.knex);
  const recount = await recountTouches(app.db.knex);
  if (!t.same(stored, recount, 'signup_touches equals the recount')) return false;
  const store = new AttributionStore(app.db.knex);
  const w = { from: new Date(START), to: new Date(START + 421 * DAY), tz: 'UTC', conversionWindowDays: 14 };
  for (const model of MODELS) {
    for (const lookbackDays of [1, 30, 365]) {
      const q = { model, lookbackDays, halfLifeDays: 0.1, limit: 10 };
      const got = await store.attribution(w, q);
      const want = await recountAttribution(app.db.knex, w, q);
      if (!close(got, want)) {
        t.same(got, want, `attribution ${model} lookback ${lookbackDays}`);
        return false;
      }
    }
  }
  return true;
}

t.test('signup_touches equals a recount after random interleavings of clicks and signups', async (t) => {
  const app = await build(t);
  await fc.assert(
    fc.asyncProperty(
      fc.array(command, { minLength: 5, maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: usingPostgres ? 8 : 1 }), { minLength: 40, maxLength: 40 }),
      async (commands, groups) => check(t, app, commands, groups),
    ),
    { numRuns: usingPostgres ? 25 : 15 },
  );
});

t.test(
  'a click stored after its signup counts, and an earlier late click moves the first click',
  async (t) => {
    const app = await build(t);
    const at = (d: number) => new Date(START + d * DAY).toISOString();
    for (const i of INVITES) await post(app, '/v1/invites', { ...i, sentAt: at(0) });
    await post(app, '/v1/invites/i1/clicks', { clickId: 'a', occurredAt: at(9) });
    await post(app, '/v1/invites/i0/signups', { userId: 'late', visitorId: 'v', occurredAt: at(10) });
    const touches = async () =>
      (await storedTouches(app.db.knex)).map((r) => [
        r.invite_id,
        r.converting,
        r.clicked_at?.toISOString() ?? null,
        r.first_clicked_at?.toISOString() ?? null,
      ]);
    t.same(await touches(), [['i0', true, null, null]], 'no click yet: the converting invite alone');
    await post(app, '/v1/events', {
      events: [
        { type: 'invite_clicked', inviteId: 'i1', clickId: 'b', visitorId: 'v', occurredAt: at(8) },
        { type: 'invite_clicked', inviteId: 'i0', clickId: 'c', visitorId: 'w', occurredAt: at(7) },
        { type: 'invite_clicked', inviteId: 'i2', clickId: 'd', visitorId: 'v', occurredAt: at(11) },
      ],
    });
    t.same(
      await touches(),
      [
        ['i0', true, null, at(7)],
        ['i1', false, at(8), null],
      ],
      "the visitor's late click is a touch; another visitor's earlier click is the converting invite's first click; " +
        'a click after the signup is not a touch',
    );
    await post(app, '/v1/invites/i0/clicks', { clickId: 'e', visitorId: 'v', occurredAt: at(9) });
    await post(app, '/v1/invites/i1/clicks', { clickId: 'f', visitorId: 'v', occurredAt: at(5) });
    t.same(
      await touches(),
      [
        ['i0', true, at(9), at(7)],
        ['i1', false, at(8), null],
      ],
      'the latest click of the visitor is kept',
    );
    t.same(await storedTouches(app.db.knex), await recountTouches(app.db.knex));
  },
);

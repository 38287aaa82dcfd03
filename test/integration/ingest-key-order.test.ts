import t from 'tap';
import { build, startedExperiment } from '../helper.js';

/*
 * Batches that insert the same new keys in opposite orders, at the same time. Each insert waits for a key another
 * batch holds uncommitted; unless every statement inserts in key order, two such batches wait for each other
 * (a deadlock, which PostgreSQL breaks by failing one of them: a 500). On PGlite the batches run one at a time.
 */
type App = Awaited<ReturnType<typeof build>>;
const N = 40;
const ROUNDS = 8;
const at = '2026-01-02T00:00:00Z';
const events = (app: App, list: object[]) =>
  app.inject({ method: 'POST', url: '/v1/events', payload: { events: list } });
const both = async (app: App, list: object[]) => {
  const answers = await Promise.all([events(app, list), events(app, [...list].reverse())]);
  return answers.map((a) => a.statusCode);
};

t.test('the same new keys in opposite orders: no batch fails', async (t) => {
  const app = await build(t);
  const ids = (prefix: string, round: number) =>
    Array.from({ length: N }, (_, k) => `${prefix}${round}-${k}`);
  const referrers = ids('ref', 0);
  await events(
    app,
    referrers.map((userId) => ({ type: 'user_signed_up', userId, occurredAt: '2026-01-01T00:00:00Z' })),
  );
  const codes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Users, invites (the same ids, another referrer: the second is a conflict), clicks.
    codes.push(
      ...(await both(
        app,
        ids('u', round).map((userId) => ({ type: 'user_signed_up', userId, occurredAt: at })),
      )),
    );
    const invites = ids('i', round);
    const sent = await Promise.all([
      events(
        app,
        invites.map((inviteId, k) => ({
          type: 'invite_sent',
          inviteId,
          referrerId: referrers[k],
          source: 'a',
          occurredAt: at,
        })),
      ),
      events(
        app,
        [...invites].reverse().map((inviteId, k) => ({
          type: 'invite_sent',
          inviteId,
          referrerId: referrers[k],
          source: 'b',
          occurredAt: at,
        })),
      ),
    ]);
    codes.push(...sent.map((a) => a.statusCode));
    codes.push(
      ...(await both(
        app,
        invites.map((inviteId, k) => ({
          type: 'invite_clicked',
          inviteId,
          clickId: `c${k}`,
          occurredAt: at,
        })),
      )),
    );
    // Invite signups: two batches over different invites that create the same new users in opposite orders.
    const users = ids('s', round);
    const half = invites.slice(0, N / 2);
    const other = invites.slice(N / 2);
    const signed = await Promise.all([
      events(
        app,
        half.map((inviteId, k) => ({ type: 'invite_signed_up', inviteId, userId: users[k], occurredAt: at })),
      ),
      events(
        app,
        other.map((inviteId, k) => ({
          type: 'invite_signed_up',
          inviteId,
          userId: users[N / 2 - 1 - k],
          occurredAt: at,
        })),
      ),
    ]);
    codes.push(...signed.map((a) => a.statusCode));
  }
  t.same(
    codes.filter((c) => c !== 200),
    [],
    'every batch answered 200',
  );
  const { rows } = (await app.db.knex.raw(
    `SELECT (SELECT count(*)::int FROM users WHERE user_id LIKE 's%') AS signed,
            (SELECT count(*)::int FROM invite_clicks) AS clicks,
            (SELECT count(*)::int FROM invites) AS invites`,
  )) as { rows: { signed: number; clicks: number; invites: number }[] };
  t.same(
    rows[0],
    { signed: (N / 2) * ROUNDS, clicks: N * ROUNDS, invites: N * ROUNDS },
    'each key stored once',
  );
});

t.test('assignments of the same new users in opposite orders', async (t) => {
  const app = await build(t);
  await startedExperiment(app);
  const codes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const users = Array.from({ length: N }, (_, k) => `a${round}-${k}`);
    const ask = (userId: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/experiments/exp/assignments',
        payload: { userId, expose: true },
      });
    const answers = await Promise.all([...users.map(ask), ...[...users].reverse().map(ask)]);
    codes.push(...answers.map((a) => a.statusCode));
  }
  t.same(
    codes.filter((c) => c !== 200),
    [],
    'every assignment answered 200',
  );
  const { rows } = (await app.db.knex.raw(`SELECT count(*)::int AS n FROM assignments`)) as {
    rows: { n: number }[];
  };
  t.equal(rows[0]!.n, N * ROUNDS, 'one assignment per user');
});

// Two service processes on one PostgreSQL database race first assignments for the same users and signups through
// the same invites: one assignment per user (both instances answer the same variant), one signup per invite.
// The database is a new one on DATABASE_URL's server when set, else on a cluster of the test's own (two processes
// cannot share an embedded PGlite).
import type { Knex } from 'knex';
import t from 'tap';
import { usingPostgres } from '../helper.js';
import { clusterUnavailable, PgCluster } from '../support/pg-cluster.js';
import { scratchPostgres, type ScratchDatabase } from '../support/scratch-database.js';
import { ADMIN_KEY, bearer, call, INGEST_KEY, startService } from '../support/service-process.js';

const USERS = 400;
const INVITES = 150;
const BATCH = 50;

async function database(t: { teardown(fn: () => unknown): void }): Promise<ScratchDatabase> {
  if (usingPostgres) return scratchPostgres(process.env.DATABASE_URL!, 'race');
  const cluster = await PgCluster.create();
  t.teardown(() => cluster.destroy());
  return scratchPostgres(cluster.url(), 'race');
}

const skip = usingPostgres ? false : (clusterUnavailable() ?? false);

// Real processes (and clusters) start slowly on a busy machine: more than the suite's 120 s per file.
t.setTimeout(300_000);

t.test('two instances racing first assignments and signups', { skip }, async (t) => {
  const db = await database(t);
  t.teardown(() => db.drop());
  const [a, b] = await Promise.all([startService(db.env), startService(db.env)]);
  t.teardown(() => Promise.all([a!.stop('SIGKILL'), b!.stop('SIGKILL')]));
  const admin = bearer(ADMIN_KEY);
  const ingest = bearer(INGEST_KEY);

  const exp = { key: 'race', variants: [{ key: 'control' }, { key: 'v1' }, { key: 'v2' }] };
  t.equal((await call(a!.url, 'POST', '/v1/experiments', exp, admin)).status, 201);
  t.equal((await call(a!.url, 'POST', '/v1/experiments/race/start', undefined, admin)).status, 200);
  const invites = Array.from({ length: INVITES }, (_, i) => ({
    inviteId: `inv-${i}`,
    referrerId: `ref-${i % 10}`,
  }));
  const events = invites.map((i) => ({ type: 'invite_sent', ...i, source: 'race' }));
  t.equal((await call(a!.url, 'POST', '/v1/events', { events }, ingest)).status, 200);

  const answered = new Map<string, string[]>();
  const badAssignments: string[] = [];
  for (let start = 0; start < USERS; start += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, USERS - start) }, (_, k) => `user-${start + k}`).flatMap(
        (userId) =>
          [a!, b!].map(async (svc) => {
            const res = await call(svc.url, 'POST', '/v1/experiments/race/assignments', { userId }, ingest);
            const body = res.body as { variant?: string; inExperiment?: boolean };
            if (res.status !== 200 || !body.inExperiment)
              badAssignments.push(`${userId}: ${res.status} ${res.text}`);
            else answered.set(userId, [...(answered.get(userId) ?? []), body.variant!]);
          }),
      ),
    );
  }
  t.same(badAssignments, [], 'every assignment answered 200 in the experiment');
  const disagreements = [...answered].filter(([, v]) => v.length !== 2 || v[0] !== v[1]);
  t.same(disagreements, [], 'both instances answer the same variant for every user');

  const signupStatuses: Record<string, number> = {};
  await Promise.all(
    invites.map(async ({ inviteId }, i) => {
      const results = await Promise.all(
        [a!, b!].map((svc, s) =>
          call(svc.url, 'POST', `/v1/invites/${inviteId}/signups`, { userId: `new-${i}-${s}` }, ingest),
        ),
      );
      const key = results
        .map((r) => `${r.status}${r.status === 200 ? '' : ` ${(r.body as { code?: string }).code}`}`)
        .sort()
        .join(' + ');
      signupStatuses[key] = (signupStatuses[key] ?? 0) + 1;
    }),
  );
  t.same(signupStatuses, { '200 + 409 already_converted': INVITES }, 'one signup wins each invite');

  const knex: Knex = db.open();
  const { rows: assignments } = (await knex.raw(
    `SELECT a.user_id, a.variant FROM assignments a JOIN experiments e ON e.id = a.experiment_id WHERE e.key = 'race'`,
  )) as { rows: { user_id: string; variant: string }[] };
  t.equal(assignments.length, USERS, 'one stored assignment per user');
  t.same(
    assignments.filter((r) => answered.get(r.user_id)?.[0] !== r.variant),
    [],
    'the stored variant is the answered one',
  );
  const { rows: signups } = (await knex.raw(
    `SELECT count(*) AS invites, count(DISTINCT u.user_id) AS users
     FROM invites i JOIN users u ON u.user_id = i.signup_user_id WHERE i.signup_user_id IS NOT NULL`,
  )) as { rows: { invites: number; users: number }[] };
  t.same(signups[0], { invites: INVITES, users: INVITES }, 'one signup (and one new user) per invite');
  const { rows: losers } = (await knex.raw(
    `SELECT count(*) AS n FROM users WHERE user_id LIKE 'new-%' AND user_id NOT IN (SELECT signup_user_id FROM invites WHERE signup_user_id IS NOT NULL)`,
  )) as { rows: { n: number }[] };
  t.equal(losers[0]!.n, 0, 'the losing signup left no user behind');
});

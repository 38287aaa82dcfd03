import t from 'tap';
import { build, get, json, post } from '../helper.js';

t.test('identical analytics running together share one computation, never across a write', async (t) => {
  const app = await build(t);
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = () => {
    runs++;
    return gate.then(() => runs);
  };
  const a = app.coalesce('k', slow);
  const b = app.coalesce('k', slow);
  const other = app.coalesce('other', slow);
  t.equal(runs, 2, 'the second identical call joined the first; another key ran');
  // A write answered meanwhile: a read after it must not join a computation that started before it.
  t.equal((await post(app, '/v1/users', { userId: 'w1' })).statusCode, 200);
  const c = app.coalesce('k', slow);
  t.equal(runs, 3, 'a computation started after the write');
  // Writes of data the metrics never read (experiments, assignments, calculators) do not split the flight.
  t.equal((await post(app, '/v1/experiments/none/assignments', { userId: 'u' })).statusCode, 200);
  t.equal((await post(app, '/v1/assignments', { userId: 'u' })).statusCode, 200);
  t.equal((await post(app, '/v1/stats/srm', { observed: [50, 50], weights: [1, 1] })).statusCode, 200);
  const d = app.coalesce('k', slow);
  t.equal(runs, 3, 'joined across an assignment and a calculator call');
  // A batch of events may hold viral events: it counts, like every write route outside the list of other data.
  t.equal(
    (await post(app, '/v1/events', { events: [{ type: 'user_signed_up', userId: 'w2' }] })).statusCode,
    200,
  );
  const e = app.coalesce('k', slow);
  t.equal(runs, 4, '/v1/events counts as a write');
  t.equal((await post(app, '/v1/nowhere', {})).statusCode, 404);
  const f = app.coalesce('k', slow);
  t.equal(runs, 4, 'a request that matched no route wrote nothing: it joined');
  release();
  t.same(await Promise.all([a, b, other, c, d, e, f]), [4, 4, 4, 4, 4, 4, 4]);
  await app.coalesce('k', slow);
  t.equal(runs, 5, 'nothing is kept once a computation settled');
});

t.test(
  'through HTTP: concurrent identical metric requests get the same answer; a write shows at once',
  async (t) => {
    const app = await build(t);
    const ok = (res: { statusCode: number; body: string }) => {
      t.equal(res.statusCode, 200, res.body);
      return json<{ invites: number }>(res);
    };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => get(app, '/v1/metrics/k-factor?days=7')),
    );
    t.same(
      answers.map((r) => ok(r).invites),
      [0, 0, 0, 0, 0],
    );
    await post(app, '/v1/users', { userId: 'alice' });
    await post(app, '/v1/invites', { inviteId: 'i1', referrerId: 'alice', source: 'loop' });
    t.equal(ok(await get(app, '/v1/metrics/k-factor?days=7')).invites, 1, 'read after write');
    const csv = await get(app, '/v1/metrics/k-factor?days=7&format=csv');
    t.match(csv.headers['content-type'], /text\/csv/, 'the format still shapes each answer');
  },
);

t.test('an expensive answer is reused for METRICS_CACHE_SECONDS, never across a write', async (t) => {
  const app = await build(t, { METRICS_CACHE_SECONDS: '3' });
  let runs = 0;
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Expensive: at least 200 ms, so it is kept after it settled.
  const slow = async () => {
    const n = ++runs;
    await wait(220);
    return n;
  };
  const cheap = async () => ++runs;

  t.equal(await app.coalesce('slow', slow), 1);
  t.equal(await app.coalesce('slow', slow), 1, 'reused once settled');
  t.equal(runs, 1);
  t.equal(await app.coalesce('cheap', cheap), 2);
  t.equal(await app.coalesce('cheap', cheap), 3, 'a cheap answer is always recomputed');

  // A write answered since: the next read computes afresh, and what it computes is kept again.
  t.equal((await post(app, '/v1/users', { userId: 'w1' })).statusCode, 200);
  t.equal(await app.coalesce('slow', slow), 4, 'not reused across a write');
  t.equal(await app.coalesce('slow', slow), 4);
  // Assignments do not change what the metrics read.
  t.equal((await post(app, '/v1/assignments', { userId: 'u' })).statusCode, 200);
  t.equal(await app.coalesce('slow', slow), 4, 'reused across an assignment');

  // Kept for the configured time from the start of its computation, then computed again.
  await wait(3000);
  t.equal(await app.coalesce('slow', slow), 5, 'expired after METRICS_CACHE_SECONDS');

  // A write answered while an expensive computation runs: its answer is not kept for later reads.
  const during = app.coalesce('other', slow);
  await wait(50);
  t.equal((await post(app, '/v1/users', { userId: 'w2' })).statusCode, 200);
  t.equal(await during, 6);
  t.equal(await app.coalesce('other', slow), 7, 'an answer computed across a write is not kept');
});

t.test('METRICS_CACHE_SECONDS=0 keeps nothing, however expensive', async (t) => {
  const app = await build(t, { METRICS_CACHE_SECONDS: '0' });
  let runs = 0;
  const slow = async () => {
    const n = ++runs;
    await new Promise((r) => setTimeout(r, 220));
    return n;
  };
  t.equal(await app.coalesce('slow', slow), 1);
  t.equal(await app.coalesce('slow', slow), 2);
});

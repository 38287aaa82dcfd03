import t from 'tap';
import { ExperimentCache } from '../../src/experiments/experiment-cache.js';
import type { Experiment } from '../../src/experiments/types.js';

/** A definitions source that counts its queries and answers after `ms`, with what `known` holds at answer time. */
function source(known: Map<string, string>, ms = 20) {
  const calls = { byKeys: 0, running: 0, fail: false };
  const later = <T>(f: () => T) =>
    new Promise<T>((resolve, reject) =>
      setTimeout(() => (calls.fail ? reject(new Error('database down')) : resolve(f())), ms),
    );
  const experiment = (key: string) => ({ key, name: known.get(key)! }) as unknown as Experiment;
  return {
    calls,
    store: {
      findByKeys: (keys: string[]) => {
        calls.byKeys++;
        return later(() => new Map(keys.filter((k) => known.has(k)).map((k) => [k, experiment(k)])));
      },
      listRunning: () => {
        calls.running++;
        return later(() => [...known.keys()].map(experiment));
      },
    },
  };
}

t.test('concurrent callers of an expired or missing entry share one query', async (t) => {
  const known = new Map([
    ['a', 'A'],
    ['b', 'B'],
  ]);
  const { calls, store } = source(known);
  const cache = new ExperimentCache(store, 50);
  const answers = await Promise.all(Array.from({ length: 1000 }, () => cache.byKeys(['a'])));
  t.equal(calls.byKeys, 1, 'one query for a thousand callers');
  t.ok(answers.every((m) => m.get('a')?.name === 'A'));
  // A caller asking for a loading key and a new one joins the first load and queries only the new key.
  known.set('c', 'C');
  await new Promise((r) => setTimeout(r, 60));
  const [ab, bc] = await Promise.all([cache.byKeys(['a', 'b']), cache.byKeys(['b', 'c', 'nope'])]);
  t.equal(calls.byKeys, 3, 'one query for a+b, one for c+nope');
  t.same([...ab.keys()], ['a', 'b']);
  t.same([...bc.keys()], ['b', 'c'], 'unknown keys are absent, order kept');
  await cache.byKeys(['nope']);
  t.equal(calls.byKeys, 3, 'unknown keys are cached too');
});

t.test('an invalidation while loading is never overwritten by the older answer', async (t) => {
  const known = new Map([['a', 'old']]);
  const { calls, store } = source(known);
  const cache = new ExperimentCache(store, 60_000);
  const before = cache.byKeys(['a']);
  await new Promise((r) => setTimeout(r, 5));
  known.set('a', 'new');
  cache.invalidate('a');
  const after = await cache.byKeys(['a']);
  t.equal(after.get('a')?.name, 'new', 'a caller after the change loads again');
  t.equal((await before).get('a')?.name, 'new', 'the earlier load answers what it read');
  t.equal((await cache.byKeys(['a'])).get('a')?.name, 'new');
  t.equal(calls.byKeys, 2);
});

t.test(
  'a failed load is shared by its waiters, kept by nobody, and retried by the next caller',
  async (t) => {
    const { calls, store } = source(new Map([['a', 'A']]));
    const cache = new ExperimentCache(store, 60_000);
    calls.fail = true;
    const results = await Promise.allSettled([cache.byKeys(['a']), cache.byKeys(['a']), cache.allRunning()]);
    t.same(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected'],
    );
    t.equal(calls.byKeys, 1);
    calls.fail = false;
    t.equal((await cache.byKeys(['a'])).get('a')?.name, 'A');
    const running = await Promise.all([cache.allRunning(), cache.allRunning()]);
    t.equal(calls.running, 2, 'one failed list, then one shared list');
    t.same(
      running.map((l) => l.map((e) => e.key)),
      [['a'], ['a']],
    );
  },
);

import t from 'tap';
import { Batcher } from '../../src/db/batcher.js';

const tick = () => new Promise((r) => setImmediate(r));

t.test('concurrent submissions share statements; each caller gets its own result', async (t) => {
  const batches: number[][] = [];
  const b = new Batcher<number, number>(
    async (items) => {
      batches.push(items);
      await tick();
      return items.map((x) => x * 10);
    },
    { maxBatch: 4, maxPending: 100, maxInFlight: 1 },
  );
  const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((x) => b.submit(x)));
  t.same(results, [10, 20, 30, 40, 50, 60, 70]);
  t.same(
    batches,
    [[1], [2, 3, 4, 5], [6, 7]],
    'a lone first item goes at once; the rest wait for it and batch',
  );
});

t.test('a failed statement rejects its callers only', async (t) => {
  const b = new Batcher<number, number>(
    async (items) => {
      await tick();
      if (items.includes(2)) throw new Error('boom');
      return items;
    },
    { maxBatch: 1, maxPending: 10, maxInFlight: 2 },
  );
  const [one, two, three] = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
  t.same(one, { status: 'fulfilled', value: 1 });
  t.equal(two!.status, 'rejected');
  t.same(three, { status: 'fulfilled', value: 3 });
});

t.test('the queue is bounded: beyond maxPending a submission fails fast with 503', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const b = new Batcher<number, number>(
    async (items) => {
      await gate;
      return items;
    },
    { maxBatch: 10, maxPending: 2, maxInFlight: 1 },
  );
  const first = b.submit(1); // in flight
  const queued = [b.submit(2), b.submit(3)];
  await t.rejects(b.submit(4), { statusCode: 503, code: 'service_unavailable' });
  release();
  t.same(await Promise.all([first, ...queued]), [1, 2, 3]);
});

import t from 'tap';
import { Schedule } from '../../../src/reports/schedule.js';

const runs = (s: Schedule, from: string, n: number) => {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    at = s.next(at)!;
    out.push(at.toISOString());
  }
  return out;
};

t.test('occurrences in a time zone across both daylight-saving changes (Europe/Berlin, 2026)', async (t) => {
  const daily = new Schedule('30 2 * * *', 'Europe/Berlin');
  t.same(
    runs(daily, '2026-03-28T00:00:00Z', 3),
    ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    '02:30 CET; 29 March has no 02:30, so 03:00 CEST; then 02:30 CEST',
  );
  t.same(
    runs(daily, '2026-10-24T00:00:00Z', 3),
    ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    '25 October has 02:30 twice: it runs once, at the first',
  );
  t.same(
    runs(new Schedule('*/30 * * * *', 'Europe/Berlin'), '2026-10-25T00:00:00Z', 4),
    [
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ],
    'a stepped pattern runs on both passes of the repeated hour',
  );
});

t.test('day-of-month and day-of-week combine with OR, as in cron', async (t) => {
  // 1 June 2026 is a Monday; after it, the next Monday (8 June) comes before the next 1st.
  t.same(runs(new Schedule('0 9 1 * 1', 'UTC'), '2026-06-01T10:00:00Z', 2), [
    '2026-06-08T09:00:00.000Z',
    '2026-06-15T09:00:00.000Z',
  ]);
});

t.test('due(): the latest occurrence and how many earlier ones it stands for', async (t) => {
  const s = new Schedule('0 * * * *', 'UTC');
  t.equal(s.due(new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T09:59:59Z')), null, 'not yet');
  t.same(s.due(new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:00:30Z')), {
    latest: new Date('2026-01-01T10:00:00Z'),
    skipped: 0,
  });
  t.same(s.due(new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T15:20:00Z')), {
    latest: new Date('2026-01-01T15:00:00Z'),
    skipped: 5,
  });
  const capped = new Schedule('* * * * *', 'UTC').due(
    new Date('2026-01-01T00:00:00Z'),
    new Date('2026-03-01T00:00:00Z'),
    100,
  );
  t.same(
    capped,
    { latest: new Date('2026-03-01T00:00:00Z'), skipped: 100 },
    'counting stops at the cap; latest is exact',
  );
});

t.test('refused patterns name the schedule', async (t) => {
  for (const p of ['* * * *', '0 0 * * * *', '61 * * * *', '0 0 30 2 *', '@daily']) {
    t.throws(() => new Schedule(p, 'UTC'), { errors: [{ path: 'schedule' }] }, p);
  }
});

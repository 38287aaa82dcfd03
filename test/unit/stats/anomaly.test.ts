// src/stats/anomaly.ts on hand-worked series (the arithmetic is written next to each expectation).
import t from 'tap';
import {
  type AnomalyPoint,
  detectAnomalies,
  median,
  robustZ,
  weekdayFactors,
} from '../../../src/stats/anomaly.js';

const DAY = 86_400_000;
const dateAt = (start: string, i: number) =>
  new Date(Date.parse(`${start}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10);
const series = (start: string, values: number[]) =>
  values.map((value, i) => ({ date: dateAt(start, i), value }));
const points = (start: string, values: number[], extra: Partial<AnomalyPoint> = {}): AnomalyPoint[] =>
  series(start, values).map((p) => ({ ...p, complete: true, hasData: true, dropAllowed: true, ...extra }));

// 14 days: sorted 9,9,10,10,10,10,11,11,11,12,12,12,13,13 → m = 11; |v − 11| sorted 0,0,0,1×7,2×4 → MAD = 1.
const FOURTEEN = [10, 12, 11, 13, 9, 10, 11, 12, 10, 11, 9, 13, 12, 10];

t.test('median', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([7]), 7);
});

t.test('fewer than 21 history days: no weekday factors, MAD z', async (t) => {
  const history = series('2026-01-01', FOURTEEN);
  t.same(weekdayFactors(history), [1, 1, 1, 1, 1, 1, 1]);
  const low = robustZ({ date: '2026-01-15', value: 5 }, history);
  t.equal(low.expected, 11);
  t.ok(Math.abs(low.z! - 0.6745 * -6) < 1e-12, `z = 0.6745 × (5 − 11) / 1 = −4.047, got ${low.z}`);
  const days = detectAnomalies(points('2026-01-01', [...FOURTEEN, 5]));
  t.same(
    days.slice(0, 14).map((d) => d.status),
    Array(14).fill('insufficient_data'),
  );
  t.equal(days[14]!.status, 'drop');
  t.equal(days[14]!.expected, 11);
  t.equal(detectAnomalies(points('2026-01-01', [...FOURTEEN, 8]))[14]!.status, 'normal', 'z = −2.02');
  // 20 ≥ 1.2 × 11 and z = 0.6745 × 9 = 6.07 → spike
  t.equal(detectAnomalies(points('2026-01-01', [...FOURTEEN, 20]))[14]!.status, 'spike');
  t.equal(
    detectAnomalies(points('2026-01-01', [...FOURTEEN, 5], { dropAllowed: false }))[14]!.status,
    'normal',
    'K days under 30 invites are never drops',
  );
});

t.test('MAD 0: the 1.2533 × mean absolute deviation fallback; both 0: z null', async (t) => {
  // twelve 10s and two 20s: m = 10, MAD = 0, mean |v − m| = 20/14.
  const history = series('2026-01-01', [10, 10, 20, 10, 10, 10, 10, 10, 10, 20, 10, 10, 10, 10]);
  const scale = 1.2533 * (20 / 14);
  const four = robustZ({ date: '2026-01-15', value: 4 }, history);
  t.ok(Math.abs(four.z! - -6 / scale) < 1e-12, `z = −6 / 1.7904 = −3.351, got ${four.z}`);
  const values = history.map((h) => h.value);
  t.equal(detectAnomalies(points('2026-01-01', [...values, 4]))[14]!.status, 'normal', '−3.35 > −3.5');
  t.equal(detectAnomalies(points('2026-01-01', [...values, 3]))[14]!.status, 'drop', 'z = −3.91');
  const flat = detectAnomalies(points('2026-01-01', [...Array(14).fill(10), 2]));
  t.equal(flat[14]!.z, null);
  t.equal(flat[14]!.status, 'normal');
  t.equal(flat[14]!.expected, 10);
});

// 21 days from Monday 2026-01-05: weekdays 100/110/90 by week, weekends 50/55/45. Median of all = 90;
// s_Mon..Fri = 100/90, s_Sat,Sun = 50/90; adjusted values are 7 × 81, 7 × 90, 7 × 99 → m = 90, MAD = 9.
const week = (wd: number, we: number) => [wd, wd, wd, wd, wd, we, we];
const TWENTY_ONE = [...week(100, 50), ...week(110, 55), ...week(90, 45)];

t.test('21+ history days: weekday factors', async (t) => {
  const history = series('2026-01-05', TWENTY_ONE);
  const s = weekdayFactors(history);
  t.ok(
    Math.abs(s[1]! - 100 / 90) < 1e-12 &&
      Math.abs(s[6]! - 50 / 90) < 1e-12 &&
      Math.abs(s[0]! - 50 / 90) < 1e-12,
  );
  t.same(weekdayFactors(history.slice(1)), [1, 1, 1, 1, 1, 1, 1], '20 days: no factors');
  // Monday 60 → a = 54 → z = 0.6745 × (54 − 90) / 9 = −2.698: a weekday dip that is not a drop
  const mon = robustZ({ date: '2026-01-26', value: 60 }, history);
  t.ok(Math.abs(mon.z! - 0.6745 * -4) < 1e-9, `got ${mon.z}`);
  t.ok(Math.abs(mon.expected - 100) < 1e-9);
  // Saturday 100 → a = 180 → z = 0.6745 × 10 = 6.745, expected 50
  const sat = robustZ({ date: '2026-01-31', value: 100 }, history);
  t.ok(Math.abs(sat.z! - 6.745) < 1e-9 && Math.abs(sat.expected - 50) < 1e-9);
  const days = detectAnomalies(points('2026-01-05', [...TWENTY_ONE, 40]));
  t.equal(days[21]!.status, 'drop', 'Monday 40 → a = 36, z = −4.05');
  t.ok(Math.abs(days[21]!.expected! - 100) < 1e-9);
  // Saturday 50 is normal although it is half a weekday's value
  t.equal(
    detectAnomalies(points('2026-01-05', [...TWENTY_ONE, 100, 100, 100, 100, 100, 50]))[26]!.status,
    'normal',
  );
});

t.test('flagged, incomplete and no-data days stay out of the history; at most 28 days', async (t) => {
  const values = [...FOURTEEN, 5, 5];
  const days = detectAnomalies(points('2026-01-01', values));
  t.equal(days[14]!.status, 'drop');
  t.equal(days[15]!.status, 'drop', 'the first drop is not in the second one’s history');
  const noData = points('2026-01-01', [...Array(10).fill(0), ...FOURTEEN]).map((p, i) => ({
    ...p,
    hasData: i >= 10,
  }));
  const r = detectAnomalies(noData);
  t.equal(r[23]!.status, 'insufficient_data', 'only 13 days with data before');
  const withToday = detectAnomalies([
    ...points('2026-01-01', FOURTEEN),
    { date: '2026-01-15', value: 1, complete: false, hasData: true, dropAllowed: true },
  ]);
  t.same(withToday[14], { date: '2026-01-15', value: 1, expected: null, z: null, status: 'incomplete' });
  // A steady trend (nothing flagged): day 40's history is exactly days 12–39, so day 12 in, day 11 out.
  const trend = Array.from({ length: 41 }, (_, i) => 100 + 3 * i + ((i * 7) % 5));
  const scored = detectAnomalies(points('2026-01-01', trend));
  t.notOk(scored.some((d) => d.status === 'drop' || d.status === 'spike'));
  const all = series('2026-01-01', trend);
  const last = all[40]!;
  t.equal(scored[40]!.z, robustZ(last, all.slice(12, 40)).z);
  t.not(scored[40]!.z, robustZ(last, all.slice(11, 40)).z);
});

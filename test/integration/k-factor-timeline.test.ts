import t from 'tap';
import { build, json } from '../helper.js';

// Hand-built history (UTC). Bucketing of experiment "kt" (GrowthBook hash of the key): u0, u1 → control;
// u2, u3, u5 → variant_a. The default conversion window is 14 days.
//   control   u0 exposed 06-01: i1 sent 06-01, signed up 06-02; i2 sent 06-01, never signed up
//             u1 exposed 06-02: i3 sent 06-02, signed up 06-25 (23 days: outside the window)
//   variant_a u2 exposed 06-01: i4 sent 06-01, signed up 06-01; i5 sent 06-02, signed up 06-03;
//                               i6 sent 05-31, before exposure (does not count)
//             u3 exposed 06-01: i7 sent 06-02, signed up 06-02
//             u5 exposed 06-03: no invite
const EXPOSURES: [string, string][] = [
  ['u0', '2026-06-01T08:00:00Z'],
  ['u1', '2026-06-02T08:00:00Z'],
  ['u2', '2026-06-01T08:00:00Z'],
  ['u3', '2026-06-01T09:00:00Z'],
  ['u5', '2026-06-03T08:00:00Z'],
];
const INVITES: [string, string, string, string | null][] = [
  ['i1', 'u0', '2026-06-01T12:00:00Z', '2026-06-02T12:00:00Z'],
  ['i2', 'u0', '2026-06-01T13:00:00Z', null],
  ['i3', 'u1', '2026-06-02T12:00:00Z', '2026-06-25T12:00:00Z'],
  ['i4', 'u2', '2026-06-01T12:00:00Z', '2026-06-01T18:00:00Z'],
  ['i5', 'u2', '2026-06-02T12:00:00Z', '2026-06-03T12:00:00Z'],
  ['i6', 'u2', '2026-05-31T12:00:00Z', '2026-06-01T12:00:00Z'],
  ['i7', 'u3', '2026-06-02T10:00:00Z', '2026-06-02T11:00:00Z'],
];

interface Row {
  variant: string;
  exposed: number;
  converted: number;
  invites: number;
  signups: number;
  kFactor: number | null;
  value: { meanDifference: number | null; pValue: number | null; ci: [number, number] | null } | null;
}
interface Timeline {
  metric: string;
  days: { date: string; variants: Row[] }[];
}

t.test(
  'the results timeline of a k_factor experiment: cumulative exposed, signups and K per day',
  async (t) => {
    const app = await build(t);
    const post = async (url: string, payload: object) => {
      const res = await app.inject({ method: 'POST', url, payload });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
      return json(res);
    };
    await post('/v1/experiments', {
      key: 'kt',
      targetMetric: 'k_factor',
      variants: [{ key: 'control' }, { key: 'variant_a' }],
    });
    await post('/v1/experiments/kt/start', { startedAt: '2026-05-30T00:00:00Z' });
    for (const [userId, occurredAt] of EXPOSURES) {
      const e = await post('/v1/experiments/kt/exposures', { userId, occurredAt });
      t.equal(e.variant, ['u0', 'u1'].includes(userId) ? 'control' : 'variant_a', `${userId}'s variant`);
    }
    for (const [inviteId, referrerId, sentAt, signedUpAt] of INVITES) {
      await post('/v1/invites', { inviteId, referrerId, source: 'cta', sentAt });
      if (signedUpAt)
        await post(`/v1/invites/${inviteId}/signups`, { userId: `new_${inviteId}`, occurredAt: signedUpAt });
    }

    const tl = json<Timeline>(await app.inject({ url: '/v1/experiments/kt/results/timeline' }));
    t.equal(tl.metric, 'k_factor');
    t.same(
      tl.days.map((d) => d.date),
      ['2026-06-01T00:00:00.000Z', '2026-06-02T00:00:00.000Z', '2026-06-03T00:00:00.000Z'],
    );
    const pick = (r: Row) => [r.variant, r.exposed, r.converted, r.invites, r.signups, r.kFactor];
    t.same(
      tl.days.map((d) => d.variants.map(pick)),
      [
        [
          ['control', 1, 0, 2, 0, 0],
          ['variant_a', 2, 1, 1, 1, 0.5],
        ],
        [
          ['control', 2, 1, 3, 1, 0.5],
          ['variant_a', 2, 2, 3, 2, 1],
        ],
        [
          ['control', 2, 1, 3, 1, 0.5],
          ['variant_a', 3, 2, 3, 3, 1],
        ],
      ],
    );
    // Day 2: per-user signups control [1, 0] (variance 0.5), variant [1, 1] (variance 0): SE = √(0.5/2) = 0.5.
    const day2 = tl.days[1]!.variants;
    t.equal(day2[0]!.value, null, 'no comparison on the control row');
    t.equal(day2[1]!.value!.meanDifference, 0.5);
    // Day 3: variant [2, 1, 0] (variance 1): SE = √(1/3 + 0.5/2); the 95 % Welch interval is wide, p large.
    const day3 = tl.days[2]!.variants[1]!.value!;
    t.equal(day3.meanDifference, 0.5);
    t.ok(day3.pValue! > 0.4 && day3.pValue! < 1);

    // The last day is the results endpoint's k_factor answer, fixed and sequential.
    for (const method of ['fixed', 'sequential']) {
      const seq = json<Timeline>(
        await app.inject({ url: `/v1/experiments/kt/results/timeline?method=${method}` }),
      );
      const res = json<{ variants: (Row & { value: Row['value'] & { mean: number } })[] }>(
        await app.inject({ url: `/v1/experiments/kt/results?method=${method}` }),
      );
      const last = seq.days.at(-1)!.variants;
      res.variants.forEach((r, i) => {
        t.equal(last[i]!.exposed, r.exposed, `${method} ${r.variant} exposed`);
        t.equal(last[i]!.invites, r.invites, `${method} ${r.variant} invites`);
        t.equal(last[i]!.signups, r.signups, `${method} ${r.variant} signups`);
        t.equal(last[i]!.kFactor, r.kFactor, `${method} ${r.variant} K`);
        if (i > 0) {
          t.equal(last[i]!.value!.meanDifference, r.value!.meanDifference);
          t.ok(Math.abs(last[i]!.value!.pValue! - r.value!.pValue!) < 1e-12, `${method} p-value`);
          t.ok(Math.abs(last[i]!.value!.ci![0] - r.value!.ci![0]) < 1e-12, `${method} interval`);
        }
      });
    }
    const csv = await app.inject({ url: '/v1/experiments/kt/results/timeline?format=csv' });
    t.match(csv.body.split('\r\n')[0], /,invites,signups,kFactor,valueMeanDifference,valuePValue/);
    t.equal(
      (await app.inject({ url: '/v1/experiments/kt/results/timeline?conversionWindowDays=30' })).statusCode,
      200,
    );
    const wide = json<Timeline>(
      await app.inject({ url: '/v1/experiments/kt/results/timeline?conversionWindowDays=30' }),
    );
    t.equal(wide.days.length, 25, 'a 30-day window counts the signup of 06-25, so the series runs to it');
    t.equal(wide.days.at(-1)!.variants[0]!.signups, 2);
  },
);

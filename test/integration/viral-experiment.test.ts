import t from 'tap';
import { bucketUser } from '../../src/experiments/bucketing.js';
import { build, json, startedExperiment } from '../helper.js';

type App = Awaited<ReturnType<typeof build>>;
const post = async (app: App, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, payload });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
  return res;
};

function twoPerVariant(seed: string) {
  const out: Record<'control' | 'variant_a', string[]> = { control: [], variant_a: [] };
  for (let i = 0; out.control.length < 2 || out.variant_a.length < 2; i++) {
    const id = `member-${i}`;
    const v = bucketUser({ hashSeed: seed, userId: id, weights: [50, 50], trafficPercent: 100 })
      ? 'variant_a'
      : 'control';
    if (out[v].length < 2) out[v].push(id);
  }
  return out;
}

t.test('k_factor: variants judged by the signups their exposed users caused after exposure', async (t) => {
  const app = await build(t);
  await startedExperiment(app, { key: 'viral-cta', targetMetric: 'k_factor' }, '2025-01-01T00:00:00Z');
  const {
    control: [c1, c2],
    variant_a: [t1, t2],
  } = twoPerVariant('viral-cta');
  for (const userId of [c1!, c2!, t1!, t2!]) {
    await post(app, '/v1/experiments/viral-cta/exposures', { userId, occurredAt: '2026-01-01T00:00:00Z' });
  }
  let n = 0;
  const invite = async (referrerId: string, sentAt: string, signupAt?: string) => {
    const inviteId = `inv-${n++}`;
    await post(app, '/v1/invites', { inviteId, referrerId, source: 'cta', sentAt });
    if (signupAt)
      await post(app, `/v1/invites/${inviteId}/signups`, { userId: `friend-${n}`, occurredAt: signupAt });
  };
  await invite(c1!, '2025-12-31T00:00:00Z', '2025-12-31T01:00:00Z'); // before exposure: does not count
  await invite(c1!, '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z');
  await invite(c1!, '2026-01-02T00:00:00Z');
  await invite(t1!, '2026-01-02T00:00:00Z', '2026-01-02T05:00:00Z');
  await invite(t1!, '2026-01-02T00:00:00Z', '2026-01-04T00:00:00Z');
  await invite(t1!, '2026-01-02T00:00:00Z');
  await invite(t2!, '2026-01-02T00:00:00Z', '2026-01-25T00:00:00Z'); // 23 days: outside the 14-day window

  const r = json<{ metric: string; variants: Record<string, unknown>[] }>(
    await app.inject({ url: '/v1/experiments/viral-cta/results' }),
  );
  t.equal(r.metric, 'k_factor', 'the target metric');
  const [c, a] = r.variants;
  t.match(c, {
    variant: 'control',
    exposed: 2,
    invites: 2,
    signups: 1,
    kFactor: 0.5,
    chanceToBeatControl: null,
  });
  t.match(a, {
    variant: 'variant_a',
    exposed: 2,
    invites: 4,
    signups: 2,
    kFactor: 1,
    chanceToBeatControl: null,
  });
  const value = a!.value as {
    mean: number;
    variance: number;
    meanDifference: number;
    pValue: number;
    ci: number[];
  };
  t.same([value.mean, value.variance, value.meanDifference], [1, 2, 0.5]);
  // R: t.test(c(2, 0), c(1, 0)) → p 0.71172279123366977, CI [-6.418522830071065, 7.418522830071066]
  t.ok(Math.abs(value.pValue - 0.71172279123366977) < 1e-9, `Welch p ${value.pValue}`);
  t.ok(Math.abs(value.ci[0]! + 6.418522830071065) < 1e-9);

  const wide = json<{ variants: { signups: number }[] }>(
    await app.inject({ url: '/v1/experiments/viral-cta/results?metric=k_factor&conversionWindowDays=30' }),
  );
  t.equal(wide.variants[1]!.signups, 3, 'a 30-day window counts the late signup');
  const seq = json<{ method: string; variants: { value: { pValue: number } }[] }>(
    await app.inject({ url: '/v1/experiments/viral-cta/results?method=sequential' }),
  );
  t.equal(seq.method, 'sequential');
  t.ok(seq.variants[1]!.value.pValue >= 0 && seq.variants[1]!.value.pValue <= 1);
});

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import { eventType, isValidEvent } from '../../src/schemas/event-check.js';
import { eventSchema } from '../../src/schemas/viral.js';

// Values near every rule's edge, valid and not, shared by all fields so each field also meets the others' values.
const future = new Date(Date.now() + 3_600_000).toISOString();
const soon = new Date(Date.now() + 60_000).toISOString();
const EDGE_VALUES: unknown[] = [
  'u1',
  'a',
  '',
  'x'.repeat(256),
  'x'.repeat(257),
  '😀'.repeat(128),
  '😀'.repeat(129),
  'a\u0000b',
  'lone\ud800',
  '\udc00',
  'buddy_challenge',
  'Buddy',
  'b'.repeat(64),
  'b'.repeat(65),
  'exp-1',
  '-exp',
  '_x',
  'US',
  'DE',
  'us',
  'XK',
  'ZZ',
  'USA',
  'USD',
  'usd',
  '2026-01-31T12:00:00Z',
  '2026-01-31T12:00:00.123456789Z',
  '2026-01-31T12:00:00+05:30',
  '2026-01-31T12:00:00-0800',
  '2026-01-31T12:00Z',
  '2026-01-31 12:00:00Z',
  '2026-01-31T12:00:00',
  '2026-01-31T12:00:00z',
  '2026-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-31T24:00:00Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '0999-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+002026-01-31T12:00:00Z',
  future,
  soon,
  0,
  -1,
  1.5,
  1e15,
  -1e15,
  1e16,
  -1e16,
  Number.MAX_VALUE,
  true,
  null,
  [],
  {},
  ['u1'],
];

/** Per type: required and optional fields, each with values the rule accepts (mixed with every edge value). */
const ID = ['u1', 'a', 'x'.repeat(256), '😀'.repeat(128), 'ünïcödé id'];
const FIELDS: Record<string, unknown[]> = {
  userId: ID,
  inviteId: ID,
  referrerId: ID,
  clickId: ID,
  visitorId: ID,
  eventId: ID,
  source: ['buddy_challenge', 'b'.repeat(64), '0'],
  country: ['US', 'DE', 'BR'],
  occurredAt: ['2026-01-31T12:00:00Z', '2026-01-31T12:00:00.123456789Z', '2026-01-31T12:00:00+05:30', soon],
  amount: [0, -4.99, 1e15, 19.99],
  value: [0, 1.5, -1e15],
  currency: ['USD', 'EUR'],
  experimentKey: ['exp-1', 'onboarding', '0_x'],
  variant: ['bold', 'a', 'v'.repeat(64)],
  metric: ['conversion', 'ltv'],
};
const SHAPES: Record<string, [string[], string[]]> = {
  user_signed_up: [['userId'], ['country', 'occurredAt']],
  invite_sent: [['inviteId', 'referrerId', 'source'], ['occurredAt']],
  invite_clicked: [['inviteId'], ['clickId', 'visitorId', 'occurredAt']],
  invite_signed_up: [
    ['inviteId', 'userId'],
    ['country', 'visitorId', 'occurredAt'],
  ],
  fvm_reached: [['userId'], ['occurredAt']],
  user_active: [['userId'], ['occurredAt']],
  revenue: [
    ['userId', 'eventId', 'amount'],
    ['currency', 'occurredAt'],
  ],
  experiment_exposure: [
    ['experimentKey', 'userId'],
    ['variant', 'occurredAt'],
  ],
  experiment_conversion: [
    ['experimentKey', 'userId'],
    ['metric', 'value', 'eventId', 'occurredAt'],
  ],
};

const edge = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_VALUES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
);
const fieldValue = (key: string) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FIELDS[key]!) }, { weight: 1, arbitrary: edge });
const event = fc
  .constantFrom(...Object.keys(SHAPES), 'bogus')
  .chain((type) => {
    const [required, optional] = SHAPES[type] ?? [['userId'], []];
    const fields = [
      ...required.map((k) =>
        fc.option(
          fieldValue(k).map((v) => [k, v] as const),
          { freq: 12, nil: null },
        ),
      ),
      ...optional.map((k) =>
        fc.option(
          fieldValue(k).map((v) => [k, v] as const),
          { freq: 2, nil: null },
        ),
      ),
      // A key of another type, or none at all.
      fc.option(fc.tuple(fc.constantFrom(...Object.keys(FIELDS), 'extra'), edge), { freq: 8, nil: null }),
    ];
    return fc.tuple(...fields).map((kv) => ({ type, ...Object.fromEntries(kv.filter((x) => x !== null)) }));
  })
  .map((e) => e as Record<string, unknown>);

t.test('the compiled check agrees with zod on random events near every rule', async (t) => {
  let accepted = 0;
  fc.assert(
    fc.property(event, (e) => {
      const zod = eventSchema.safeParse(e);
      const fast = isValidEvent(e);
      if (fast !== zod.success) return false;
      if (fast) {
        accepted++;
        // Passing the raw event on is sound only if zod would have handed on the same object.
        if (!isDeepStrictEqual(zod.data, e)) return false;
      }
      return true;
    }),
    { numRuns: 20_000, seed: 20261206 },
  );
  t.ok(accepted > 2000, `${accepted} of the random events were valid: both paths were exercised`);
});

t.test('valid events of every type pass without zod; edge cases go to zod', async (t) => {
  const valid = [
    { type: 'user_signed_up', userId: 'u1', country: 'DE', occurredAt: '2026-01-31T12:00:00+01:00' },
    { type: 'invite_sent', inviteId: 'i1', referrerId: 'u1', source: 'buddy_challenge' },
    { type: 'invite_clicked', inviteId: 'i1', clickId: 'c1', visitorId: 'v1' },
    { type: 'invite_signed_up', inviteId: 'i1', userId: 'u2', country: 'US', visitorId: 'v1' },
    { type: 'fvm_reached', userId: 'u2' },
    { type: 'user_active', userId: 'u2', occurredAt: '2026-01-31T12:00:00.5Z' },
    { type: 'revenue', userId: 'u2', eventId: 'r1', amount: -4.99, currency: 'USD' },
    { type: 'experiment_exposure', experimentKey: 'onboarding', userId: 'u2', variant: 'bold' },
    {
      type: 'experiment_conversion',
      experimentKey: 'onboarding',
      userId: 'u2',
      metric: 'ltv',
      value: 3,
      eventId: 'e',
    },
  ];
  for (const e of valid) {
    t.ok(isValidEvent(e), e.type);
    t.ok(eventSchema.safeParse(e).success, `${e.type} (zod)`);
    t.equal(eventType(e), e.type);
  }
  const invalid: unknown[] = [
    null,
    'invite_sent',
    [{ type: 'fvm_reached', userId: 'u' }],
    { type: 'fvm_reached' },
    { type: 'fvm_reached', userId: 'u', extra: 1 },
    { type: 'fvm_reached', userId: 'u', occurredAt: '2026-02-30T00:00:00Z' },
    { type: 'fvm_reached', userId: 'u', occurredAt: future },
    { type: 'fvm_reached', userId: 'u', occurredAt: undefined },
    Object.assign(Object.create(null), { type: 'fvm_reached', userId: 'u' }),
    JSON.parse('{"type":"fvm_reached","userId":"u","__proto__":{"x":1}}'),
  ];
  for (const e of invalid) t.notOk(isValidEvent(e), JSON.stringify(e) ?? String(e));
  t.equal(eventType({ type: 'toString' }), undefined, 'inherited names are not types');
});

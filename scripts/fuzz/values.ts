// fast-check arbitraries for JSON values: valid ones read from an OpenAPI (JSON Schema) node, and hostile ones.
import fc from 'fast-check';

export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
}

/** Ids that exist after seeding, so generated requests reach stored state instead of 404s. */
export interface Known {
  experimentKeys: string[];
  userIds: string[];
  inviteIds: string[];
  variants: string[];
  metrics: string[];
  sources: string[];
}

const SAFE_TEXT = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme-ascii' });

/** Odd Unicode and strings that break naive code: NUL, lone surrogates, RTL overrides, emoji, huge, SQL-ish. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'zz\udfff',
    '\udc00\ud800',
    '\u202eevil',
    '\ufeffbom',
    'e\u0301\u0301\u0301',
    '👩‍👩‍👧‍👦',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    '%',
    '%zz',
    '../../etc/passwd',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '=cmd|calc!A0',
    '__proto__',
    'constructor',
    'NaN',
    'Infinity',
    '1e999',
    '0000-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-02-30T00:00:00Z',
    '2026-01-01T00:00:00+99:00',
    '0001-06-15T12:00:00Z',
    '1900-01-01T00:00:00Z',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer({ min: 257, max: 5000 }).map((n) => 'x'.repeat(n)),
);

export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 1e308, -1e308, 1e21, 2 ** 53 + 2, -(2 ** 53) - 2, 5e-324, 0.1, 1e12, 1e9),
  fc.double({ noNaN: true }),
  fc.integer(),
);

/** Any JSON value of the wrong shape: wrong types, extremes, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, {}, [], [[[[[[]]]]]], { constructor: { prototype: { admin: true } } }),
  fc.json().map((j) => JSON.parse(j) as unknown),
);

const dateIn = (from: string, to: string) =>
  fc.date({ min: new Date(from), max: new Date(to), noInvalidDate: true }).map((d) => d.toISOString());

/** Names seen in the API whose values should mostly be ids that exist. */
function knownFor(name: string, known: Known): string[] | undefined {
  if (/^(userId|referrerId)$/.test(name)) return known.userIds;
  if (name === 'inviteId') return known.inviteIds;
  if (name === 'key' || name === 'experimentKey') return known.experimentKeys;
  if (name === 'variant' || name === 'controlVariant') return known.variants;
  if (name === 'metric' || name === 'targetMetric') return known.metrics;
  if (name === 'source') return known.sources;
  return undefined;
}

/** A value the schema accepts (mostly: patterns and cross-field rules are approximated). */
export function valid(schema: SchemaNode, known: Known, name = '', depth = 0): fc.Arbitrary<unknown> {
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((s) => valid(s, known, name, depth + 1)));
  if (schema.allOf?.[0]) return valid(schema.allOf[0], known, name, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const ids = knownFor(name, known);
      if (schema.format === 'date-time') return dateIn('2026-01-01T00:00:00Z', '2026-12-01T00:00:00Z');
      const text = schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern), { size: 'small' })
        : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 24, 24) });
      return ids && ids.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, text) : text;
    }
    case 'integer':
    case 'number': {
      const min =
        schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1e-9 : -1e6);
      const max =
        schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1e-9 : 1e6);
      if (type === 'integer') {
        const lo = Math.ceil(Math.max(min, -1e12));
        const hi = Math.floor(Math.min(max, 1e12));
        // Small counts are the realistic ones; the extremes of the range come through the mutations.
        return fc.oneof(
          fc.integer({ min: lo, max: Math.min(hi, lo + 2000) }),
          fc.integer({ min: lo, max: hi }),
        );
      }
      return fc.double({
        min: Math.max(min, -1e15),
        max: Math.min(max, 1e15),
        noNaN: true,
        noDefaultInfinity: true,
      });
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const item = schema.items ? valid(schema.items, known, name, depth + 1) : fc.constant(null);
      const minLength = schema.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 6, 6)) });
    }
    case 'object': {
      if (!schema.properties || depth > 6) return fc.constant({});
      const shape = Object.fromEntries(
        Object.entries(schema.properties).map(([k, s]) => [k, valid(s, known, k, depth + 1)]),
      );
      return fc.record(shape, { requiredKeys: schema.required ?? [] });
    }
    case 'null':
      return fc.constant(null);
    default:
      return SAFE_TEXT;
  }
}

/** Replaces one property (at any depth) with a hostile value, drops a required one, or adds an unknown one. */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object') return hostileValue;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const copy = (k: string, v: unknown, drop = false) => {
    if (Array.isArray(value))
      return drop ? value.filter((_, i) => String(i) !== k) : value.map((x, i) => (String(i) === k ? v : x));
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (drop) delete out[k];
    else out[k] = v;
    return out;
  };
  if (entries.length === 0)
    return fc.oneof(
      hostileValue,
      hostileValue.map((v) => copy('unexpected', v)),
    );
  return fc.oneof(
    fc.tuple(fc.constantFrom(...entries), hostileValue).map(([[k], v]) => copy(k, v)),
    fc.constantFrom(...entries).chain(([k, v]) => mutate(v).map((m) => copy(k, m))),
    fc.constantFrom(...entries).map(([k]) => copy(k, undefined, true)),
    hostileValue.map((v) => copy('unexpectedField', v)),
  );
}

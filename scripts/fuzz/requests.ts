// Requests generated from the service's own OpenAPI document: valid ones, mutated ones and hostile ones.
import fc from 'fast-check';
import { hostileString, hostileValue, type Known, mutate, type SchemaNode, valid } from './values.js';

export interface Operation {
  method: string;
  template: string;
  pathParams: { name: string; schema: SchemaNode }[];
  queryParams: { name: string; schema: SchemaNode; required: boolean }[];
  body?: SchemaNode;
}

export interface FuzzRequest {
  /** What kind of request this is, for the summary. */
  kind: string;
  method: string;
  /** Already encoded (may hold deliberately broken percent-encoding). */
  path: string;
  headers: Record<string, string>;
  /** A body, or the size of an oversized one (made only when sent, to keep 10,000 requests in memory small). */
  body?: string | Buffer | { oversized: number };
  route: string;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; required?: boolean; schema: SchemaNode }[];
        requestBody?: { content?: Record<string, { schema: SchemaNode }> };
      }
    >
  >;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operations(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({
        method: m.toUpperCase(),
        template,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path'),
        queryParams: (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: p.required ?? false })),
        body: op.requestBody?.content?.['application/json']?.schema,
      })),
  );
}

/** encodeURIComponent, except that lone surrogates become their WTF-8 bytes (as a careless client sends them). */
export function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((ch) => {
        const c = ch.charCodeAt(0);
        if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
          return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join('');
        }
        return encodeURIComponent(ch);
      })
      .join('');
  }
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

/** Raw path segments no encoder would make: broken escapes, NUL, encoded lone surrogates, very long ids. */
const brokenSegment = fc.oneof(
  fc.constantFrom(
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    'a%00b',
    '%ED%A0%80',
    '%FF%FE',
    '%C0%AF',
    '..',
    '%2e%2e',
    '%2F',
  ),
  fc.integer({ min: 101, max: 300 }).map((n) => 'k'.repeat(n)),
  fc.integer({ min: 1000, max: 9000 }).map((n) => 'k'.repeat(n)),
  hostileString.map(encode),
);

export type Keys = Record<'admin' | 'ingest' | 'read', string>;

const authHeaders = (keys: Keys): fc.Arbitrary<Record<string, string>> =>
  fc.oneof(
    { weight: 14, arbitrary: fc.constant<Record<string, string>>({ authorization: `Bearer ${keys.admin}` }) },
    fc.constant({ authorization: `Bearer ${keys.read}` }),
    fc.constant({ authorization: `Bearer ${keys.ingest}` }),
    fc.constant<Record<string, string>>({}),
    fc.constantFrom<Record<string, string>>(
      { authorization: 'Bearer wrong-key-123456' },
      { authorization: 'Bearer' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: `bearer   ${keys.admin}   ` },
      { authorization: `Bearer ${keys.admin} extra` },
      { authorization: 'Bearer \u00e9\u00e8' },
    ),
  );

const contentTypes = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/xml',
  'application/json, text/plain',
  '',
);

/** Bodies that are not JSON objects at all, or JSON that trips parsers. */
const rawBodies: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"userId":',
    '[]',
    '"text"',
    '42',
    'null',
    '{"a":1}{"b":2}',
    '\ufeff{}',
    '{"userId":"a","userId":"b"}',
    '{"__proto__":{"admin":true},"userId":"p"}',
    '{"constructor":{"prototype":{"x":1}}}',
    '{"n":1e999}',
    '{"n":-1e999,"conversions":1e400}',
    '{"userId":"\\ud800"}',
    '{"userId":"\\u0000"}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    '['.repeat(5000) + ']'.repeat(5000),
    ' ',
  ),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
);

function pathOf(op: Operation, values: Record<string, string>): string {
  return op.template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'x');
}

function queryOf(pairs: [string, string][]): string {
  return pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
}

/** The arbitrary of every request the fuzzer sends, weighted towards valid and mutated calls of real routes. */
export function requestArbitrary(ops: Operation[], known: Known, keys: Keys): fc.Arbitrary<FuzzRequest> {
  const admin: Record<string, string> = { authorization: `Bearer ${keys.admin}` };
  const perOp = (op: Operation): fc.Arbitrary<FuzzRequest> => {
    const params = fc.record(
      Object.fromEntries(op.pathParams.map((p) => [p.name, valid(p.schema, known, p.name).map(asText)])),
    ) as fc.Arbitrary<Record<string, string>>;
    const query = fc
      .tuple(
        ...op.queryParams.map((q) =>
          fc.option(valid(q.schema, known, q.name).map(asText), { nil: undefined }),
        ),
      )
      .map((vals) =>
        vals.flatMap((v, i): [string, string][] => (v === undefined ? [] : [[op.queryParams[i]!.name, v]])),
      );
    const body = op.body ? valid(op.body, known) : fc.constant(undefined);
    const base = (kind: string, p: Record<string, string>, q: [string, string][], b: unknown, h = admin) => ({
      kind,
      method: op.method,
      path: pathOf(op, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, encode(v)]))) + queryOf(q),
      headers: b === undefined ? h : { ...h, 'content-type': 'application/json' },
      body: b === undefined ? undefined : JSON.stringify(b),
      route: `${op.method} ${op.template}`,
    });
    const w = (weight: number, arbitrary: fc.Arbitrary<FuzzRequest>) => ({ weight, arbitrary });
    const variants: fc.WeightedArbitrary<FuzzRequest>[] = [
      w(
        8,
        fc.tuple(params, query, body).map(([p, q, b]) => base('valid', p, q, b)),
      ),
      w(
        2,
        fc
          .tuple(
            params,
            query,
            body,
            fc.constantFrom<[string, string]>(['format', 'csv'], ['format', 'json']),
          )
          .map(([p, q, b, f]) => base('valid', p, [...q, f], b)),
      ),
      w(
        3,
        fc.tuple(params, query, body, authHeaders(keys)).map(([p, q, b, h]) => base('auth', p, q, b, h)),
      ),
    ];
    if (op.body) {
      // Oversized bodies cost megabytes each: few of them, and 8 MiB only where the limit is 8 MiB.
      const sizes = op.template === '/v1/events' ? [8 * 1024 * 1024 + 1] : [1024 * 1024 + 1];
      variants.push(
        w(
          10,
          fc.tuple(params, query, body.chain(mutate)).map(([p, q, b]) => base('mutated body', p, q, b)),
        ),
        w(
          3,
          fc.tuple(params, rawBodies).map(([p, raw]) => ({
            ...base('raw body', p, [], undefined),
            headers: { ...admin, 'content-type': 'application/json' },
            body: raw,
          })),
        ),
        w(
          2,
          fc.tuple(params, body, contentTypes).map(([p, b, ct]) => ({
            ...base('content type', p, [], b),
            headers: ct ? { ...admin, 'content-type': ct } : admin,
          })),
        ),
        w(
          1,
          fc.tuple(params, fc.constantFrom(...sizes)).map(([p, n]) => ({
            ...base('oversized body', p, [], undefined),
            headers: { ...admin, 'content-type': 'application/json' },
            body: { oversized: n },
          })),
        ),
      );
    }
    if (op.queryParams.length > 0) {
      const name = fc.constantFrom(...op.queryParams.map((q) => q.name), 'unknown', '__proto__', 'limit[]');
      variants.push(
        w(
          4,
          fc
            .tuple(params, query, name, hostileValue.map(asText))
            .map(([p, q, n, v]) =>
              base('mutated query', p, [...q.filter(([k]) => k !== n), [n, v]], undefined),
            ),
        ),
        w(
          1,
          fc
            .tuple(params, query, name, fc.array(hostileValue.map(asText), { minLength: 2, maxLength: 3 }))
            .map(([p, q, n, vs]) =>
              base('repeated query', p, [...q, ...vs.map((v): [string, string] => [n, v])], undefined),
            ),
        ),
      );
    }
    if (op.pathParams.length > 0) {
      variants.push(
        w(
          2,
          fc
            .tuple(params, fc.constantFrom(...op.pathParams.map((p) => p.name)), brokenSegment, body)
            .map(([p, n, seg, b]) => ({
              ...base('hostile path', p, [], b),
              path: pathOf(op, {
                ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, encode(v)])),
                [n]: seg,
              }),
            })),
        ),
      );
    }
    return fc.oneof(...variants);
  };
  const unknownRoute = fc
    .tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      fc.constantFrom(
        '/v1/nope',
        '/v1',
        '/',
        '//v1//experiments',
        '/v1/experiments/',
        '/v1/%',
        '/%ZZ',
        '/v1/experiments/a/b/c/d',
      ),
    )
    .map(([method, path]): FuzzRequest => ({
      kind: 'unknown route',
      method,
      path,
      headers: admin,
      route: 'unknown',
    }));
  return fc.oneof({ weight: 30, arbitrary: fc.oneof(...ops.map(perOp)) }, unknownRoute);
}

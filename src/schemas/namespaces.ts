import { z } from 'zod';
import { experimentKey, listQuery, nullableTimestampOut, timestampOut } from './common.js';

const namespaceKey = experimentKey.describe(
  'Namespace key: lowercase letters, digits, "_" and "-", 1–64 characters (as experiment keys)',
);

/** An experiment's slice [start, end) of a namespace (SPEC §10.3). */
export const experimentNamespaceIn = z
  .strictObject({
    key: namespaceKey,
    range: z
      .tuple([z.number(), z.number()])
      .describe('[start, end): users whose namespace hash lies in it take part; 0 ≤ start < end ≤ 1'),
  })
  .superRefine((ns, ctx) => {
    const [start, end] = ns.range;
    if (!(start >= 0 && start < end && end <= 1))
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'must satisfy 0 ≤ start < end ≤ 1' });
  })
  .describe("Mutually exclusive experiments: the experiment's share of a namespace");

export const experimentNamespaceOut = z
  .object({ key: z.string(), range: z.tuple([z.number(), z.number()]) })
  .nullable();

export const createNamespaceBody = z.strictObject({ key: namespaceKey });

export const listNamespacesQuery = z.strictObject(listQuery);

export const namespaceSchema = z.object({
  key: z.string(),
  createdAt: timestampOut,
  experiments: z
    .array(
      z.object({
        key: z.string(),
        status: z.string(),
        range: z.tuple([z.number(), z.number()]),
        startedAt: nullableTimestampOut,
      }),
    )
    .describe('The experiments placed in the namespace, by range start (drafts and completed ones too)'),
});

export const namespaceListSchema = z.object({
  items: z.array(namespaceSchema),
  nextCursor: z.string().nullable(),
});

import { z } from 'zod';

export const meSchema = z.object({
  scope: z.enum(['ingest', 'read', 'admin']),
  keyId: z
    .string()
    .nullable()
    .describe('"scope:first 8 hex digits of the secret\'s SHA-256"; null with auth off'),
  authEnabled: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

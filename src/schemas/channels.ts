import { z } from 'zod';

const secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine((s) => {
    // Decoded length of base64 without Buffer: this schema is also bundled into the browser dashboard.
    const b64 = s.slice(6);
    const bytes = Math.floor((b64.length * 3) / 4) - (b64.match(/=+$/)?.[0].length ?? 0);
    return bytes >= 24 && bytes <= 64;
  }, 'must encode 24–64 bytes')
  .describe('Standard Webhooks secret (whsec_ + base64 of 24–64 bytes); generated when absent');

const targetUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048)
  .describe('https only, unless DELIVERY_ALLOW_HTTP is set');

export const channelIn = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), url: targetUrl, secret: secret.optional() }),
  z.strictObject({ type: z.literal('slack'), url: targetUrl.describe('Slack incoming-webhook URL') }),
  z.strictObject({
    type: z.literal('email'),
    to: z
      .array(z.email({ message: 'must be an email address' }).max(320))
      .min(1)
      .max(20),
  }),
]);
export type ChannelIn = z.infer<typeof channelIn>;

export const channelsIn = z.array(channelIn).max(10, 'at most 10 channels');

export const channelOut = z.object({
  id: z.string(),
  type: z.enum(['webhook', 'slack', 'email']),
  url: z.string().optional(),
  to: z.array(z.string()).optional(),
  secret: z.string().optional().describe('Only in the answer that creates the channel'),
  disabled: z.boolean().describe('true after a 410 Gone from the target'),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
});

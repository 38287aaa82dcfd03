import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  scope: Scope;
  secret: string;
}

const apiKeys = z
  .string()
  .optional()
  .transform((raw, ctx): ApiKey[] => {
    if (!raw || raw.trim() === '') return [];
    const keys: ApiKey[] = [];
    for (const part of raw.split(',')) {
      const item = part.trim();
      const colon = item.indexOf(':');
      const scope = item.slice(0, colon);
      const secret = item.slice(colon + 1);
      if (colon < 1 || !(SCOPES as readonly string[]).includes(scope) || secret.length < 8) {
        ctx.addIssue({
          code: 'custom',
          message: `each entry must be scope:secret with scope in ${SCOPES.join('|')} and a secret of 8+ characters`,
        });
        return z.NEVER;
      }
      keys.push({ scope: scope as Scope, secret });
    }
    return keys;
  });

/** Comma-separated origins allowed to call the API from a browser (CORS); empty means CORS stays off. */
const origins = z
  .string()
  .optional()
  .transform((raw, ctx): string[] => {
    const list = (raw ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    for (const o of list) {
      if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${o}" is not an origin like https://app.example.com (or *)`,
        });
        return z.NEVER;
      }
    }
    return list;
  });

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true, false, 1 or 0' })
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => !v || v === 'memory://' || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be postgres://…, postgresql://… or memory://',
    }),
  DATABASE_READ_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      'must be postgres://… or postgresql://… (a streaming replica of DATABASE_URL)',
    )
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_MAX: int(10, 1, 200),
  ANALYTICS_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  API_KEYS: apiKeys,
  METRICS_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  RATE_LIMIT_PER_MINUTE: int(0, 0, 10_000_000),
  CORS_ORIGINS: origins,
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  MAX_HEAP_FRACTION: z.coerce.number().min(0).max(1).default(0.95),
  LOAD_SAMPLE_INTERVAL_MS: int(1000, 10, 60_000),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),
  RESULTS_CACHE_SECONDS: int(60, 0, 86_400),
  METRICS_CACHE_SECONDS: int(10, 0, 3_600),
  FRAUD_FAST_SECONDS: int(10, 0, 86_400),
  FRAUD_BURST_PER_HOUR: int(20, 1, 1_000_000),
  REVENUE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. USD')
    .default('USD'),
  ALERT_INTERVAL_SECONDS: int(60, 0, 86_400),
  REPORT_INTERVAL_SECONDS: int(30, 0, 3_600),
  DELIVERY_MAX_ATTEMPTS: int(6, 1, 20),
  DELIVERY_ALLOW_HTTP: flag,
  DELIVERY_ALLOW_PRIVATE: flag,
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .default('http://127.0.0.1:3000')
    .transform((u) => u.replace(/\/+$/, '')),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be smtp://… or smtps://…')
    .optional(),
  ALERT_EMAIL_FROM: z.string().min(3).default('Liftoff <liftoff@localhost>'),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = parsed.data;
  if (config.DATABASE_READ_URL && !/^postgres(ql)?:\/\//.test(config.DATABASE_URL ?? '')) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_READ_URL: needs DATABASE_URL to be a PostgreSQL URL',
    );
  }
  if (config.NODE_ENV === 'production' && config.API_KEYS.length === 0) {
    throw new ConfigError('Invalid configuration:\n  API_KEYS: required when NODE_ENV=production');
  }
  return config;
}

/** Test and embedding helper: a full config from a few overrides, validated like the environment. */
export const configFrom = (overrides: Record<string, string | undefined> = {}): Config =>
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...overrides });

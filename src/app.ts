import cors from '@fastify/cors';
import { pino } from 'pino';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Clock } from './alerts/types.js';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/knex.js';
import { AppError } from './errors.js';
import auth from './plugins/auth.js';
import dbPlugin from './plugins/db.js';
import coalesce from './plugins/coalesce.js';
import drain from './plugins/drain.js';
import loadShedding from './plugins/load-shedding.js';
import errorHandler, { frameworkErrors } from './plugins/error-handler.js';
import metrics from './plugins/metrics.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import requestId, { genReqId } from './plugins/request-id.js';
import securityHeaders from './plugins/security-headers.js';
import background from './plugins/background.js';
import services, { type AlertsOptions } from './plugins/services.js';
import swagger from './plugins/swagger.js';
import alertRoutes from './routes/alerts.js';
import anomalyRoutes from './routes/anomalies.js';
import decisionRoutes from './routes/decisions.js';
import reportRoutes from './routes/reports.js';
import assignmentRoutes from './routes/assignments.js';
import dashboardRoutes from './routes/dashboard.js';
import experimentRoutes from './routes/experiments.js';
import healthRoutes from './routes/health.js';
import holdoutRoutes from './routes/holdouts.js';
import banditRoutes from './routes/bandits.js';
import namespaceRoutes from './routes/namespaces.js';
import meRoutes from './routes/me.js';
import resultsRoutes from './routes/results.js';
import statsRoutes from './routes/stats.js';
import growthIngestRoutes from './routes/growth-ingest.js';
import growthMetricsRoutes from './routes/growth-metrics.js';
import viralIngestRoutes from './routes/viral-ingest.js';
import viralMetricsRoutes from './routes/viral-metrics.js';

const BODY_LIMIT = 1024 * 1024;

/** An id of 256 UTF-16 code units, each a 3-byte UTF-8 character percent-encoded (%XX%XX%XX), fits a path. */
const MAX_PARAM_LENGTH = 256 * 9;

export interface BuildOptions {
  config: Config;
  /** A database owned by the caller (tests share one per file); otherwise one is created from config. */
  db?: Database;
  /** Run migrations while starting (default true). */
  migrate?: boolean;
  logger?: FastifyServerOptions['logger'];
  /** Time source of alerts, deliveries and schedules (tests pass a controllable one). */
  clock?: Clock;
  /** Overrides of the alerting composition (tests: a shorter attempt timeout, a fixed jitter). */
  alerts?: Pick<AlertsOptions, 'timeoutMs' | 'random'>;
}

/** Builds the service without listening: used by server.ts, tests and benchmarks alike. */
export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.LOG_LEVEL,
      // ISO-8601 times, readable by people and log shippers alike, instead of epoch milliseconds.
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT,
    // Opening the embedded database and migrating it can take tens of seconds on a slow first start.
    pluginTimeout: 120_000,
    genReqId,
    requestIdHeader: false,
    ajv: undefined,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    // The drain plugin answers these with problem+json instead.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Replies are typed by their zod schemas at compile time; checking every reply against them at run time costs
  // the hot paths a third of their throughput, so it runs in tests (where a drift fails loudly), not in service.
  app.setSerializerCompiler(
    config.NODE_ENV === 'test' ? serializerCompiler : () => (data: unknown) => JSON.stringify(data),
  );

  // JSON only (text/plain is 415); an empty body is "no body", so body-less actions accept a bare POST.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new AppError('validation_failed', `Malformed JSON body: ${(err as Error).message}`, [
          { path: 'body', message: 'is not valid JSON' },
        ]),
        undefined,
      );
    }
  });

  await app.register(requestId);
  await app.register(errorHandler);
  await app.register(drain);
  // Like the results cache: only answers that took 200 ms or more are kept, so small data is always computed fresh.
  await app.register(coalesce, {
    keepSeconds: config.METRICS_CACHE_SECONDS,
    minComputeMs: 200,
    maxKept: 200,
  });
  await app.register(securityHeaders);
  const db = opts.db ?? createDatabase(config);
  await app.register(loadShedding, {
    // The embedded database runs its queries on the event loop, so a long query is not overload there: by default
    // the delay check guards PostgreSQL deployments only.
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS ?? (db.kind === 'postgres' ? 1000 : 0),
    maxHeapFraction: config.MAX_HEAP_FRACTION,
    sampleIntervalMs: config.LOAD_SAMPLE_INTERVAL_MS,
  });
  await app.register(dbPlugin, {
    db,
    owned: !opts.db,
    migrate: opts.migrate ?? true,
    closeGraceMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  await app.register(metrics, { token: config.METRICS_TOKEN });
  await app.register(swagger);
  // CORS is off unless CORS_ORIGINS names the browser origins allowed to call the API.
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS,
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
  // Before auth, so that requests auth refuses (401) count against the client's budget too.
  await app.register(rateLimitPlugin, { perMinute: config.RATE_LIMIT_PER_MINUTE, keys: config.API_KEYS });
  await app.register(auth, { keys: config.API_KEYS });
  await app.register(services, {
    fraud: { fastSeconds: config.FRAUD_FAST_SECONDS, burstPerHour: config.FRAUD_BURST_PER_HOUR },
    resultsCacheSeconds: config.RESULTS_CACHE_SECONDS,
    revenueCurrency: config.REVENUE_CURRENCY,
    alerts: {
      publicUrl: config.PUBLIC_URL,
      allowHttp: config.DELIVERY_ALLOW_HTTP,
      allowPrivate: config.DELIVERY_ALLOW_PRIVATE,
      smtpUrl: config.SMTP_URL,
      emailFrom: config.ALERT_EMAIL_FROM,
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      clock: opts.clock,
      ...opts.alerts,
    },
  });
  await app.register(background, {
    alertIntervalSeconds: config.ALERT_INTERVAL_SECONDS,
    reportIntervalSeconds: config.REPORT_INTERVAL_SECONDS,
  });
  await app.register(healthRoutes);
  await app.register(dashboardRoutes);
  await app.register(
    async (v1) => {
      await v1.register(meRoutes);
      await v1.register(experimentRoutes);
      await v1.register(assignmentRoutes);
      await v1.register(resultsRoutes);
      await v1.register(statsRoutes);
      await v1.register(viralIngestRoutes);
      await v1.register(viralMetricsRoutes);
      await v1.register(namespaceRoutes);
      await v1.register(banditRoutes);
      await v1.register(holdoutRoutes);
      await v1.register(growthIngestRoutes);
      await v1.register(growthMetricsRoutes);
      await v1.register(anomalyRoutes);
      await v1.register(alertRoutes);
      await v1.register(decisionRoutes);
      await v1.register(reportRoutes);
    },
    { prefix: '/v1' },
  );
  return app;
}

// The one module that talks to the service: the public /v1 API, typed with the server's own response schemas
// (type-only imports, so no server code reaches the bundle).
import type { z } from 'zod';
import type { alertListSchema, alertSchema, deliveryListSchema } from '../schemas/alerts.js';
import type { anomaliesSchema } from '../schemas/anomalies.js';
import type { experimentListSchema, experimentSchema, historySchema } from '../schemas/experiments.js';
import type { Me } from '../schemas/me.js';
import type {
  cohortsSchema,
  funnelSchema,
  loopEfficiencySchema,
  summarySchema,
  timelineSchema,
} from '../schemas/metrics.js';
import type { banditStateSchema } from '../schemas/bandits.js';
import type { reportListSchema } from '../schemas/reports.js';
import type { resultsSchema, resultsTimelineSchema } from '../schemas/results.js';
import type {
  ATTRIBUTION_MODELS,
  attributionSchema,
  forecastSchema,
  geoSchema,
  ltvSchema,
  retentionSchema,
} from '../schemas/growth.js';

export type { Me };
export type Summary = z.infer<typeof summarySchema>;
export type LoopEfficiency = z.infer<typeof loopEfficiencySchema>;
export type GrowthTimeline = z.infer<typeof timelineSchema>;
export type Funnel = z.infer<typeof funnelSchema>;
export type Cohorts = z.infer<typeof cohortsSchema>;
export type Experiment = z.infer<typeof experimentSchema>;
export type ExperimentList = z.infer<typeof experimentListSchema>;
export type History = z.infer<typeof historySchema>;
export type Results = z.infer<typeof resultsSchema>;
export type ResultsTimeline = z.infer<typeof resultsTimelineSchema>;
export type BanditState = z.infer<typeof banditStateSchema>;
export type AlertRule = z.infer<typeof alertSchema>;
export type AlertList = z.infer<typeof alertListSchema>;
export type DeliveryList = z.infer<typeof deliveryListSchema>;
export type Anomalies = z.infer<typeof anomaliesSchema>;
export type AnomalyMetric = Anomalies['metric'];
export type ReportList = z.infer<typeof reportListSchema>;
export type Report = ReportList['items'][number];
export type Status = Experiment['status'];
export type Retention = z.infer<typeof retentionSchema>;
export type Ltv = z.infer<typeof ltvSchema>;
export type Attribution = z.infer<typeof attributionSchema>;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];
export type Geo = z.infer<typeof geoSchema>;
export type Forecast = z.infer<typeof forecastSchema>;
export type Method = Results['method'];

export interface FieldError {
  path: string;
  message: string;
}

/** Why a call failed, in the terms the page explains to its user. */
export type ApiFailure =
  | { kind: 'unauthorized'; detail: string }
  | { kind: 'forbidden'; detail: string }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'problem'; status: number; code: string; detail: string; errors: FieldError[] };

export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.detail);
  }
}

const KEY_STORAGE = 'liftoff.apiKey';

/** The key lives in sessionStorage: asked once per tab, forgotten when the tab closes. */
export const storedKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string | null): void => {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
};

interface Problem {
  code?: string;
  detail?: string;
  errors?: FieldError[];
}

async function send(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  accept = 'application/json',
): Promise<Response> {
  const headers: Record<string, string> = { accept };
  const key = storedKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new ApiError({ kind: 'unreachable', detail: 'The Liftoff service cannot be reached.' });
  }
  if (res.ok) return res;
  const problem = (await res.json().catch(() => ({}))) as Problem;
  const detail = problem.detail ?? `The service answered ${res.status}.`;
  if (res.status === 401) throw new ApiError({ kind: 'unauthorized', detail });
  if (res.status === 403) throw new ApiError({ kind: 'forbidden', detail });
  if (res.status >= 502 && res.status <= 504 && !problem.code) {
    throw new ApiError({ kind: 'unreachable', detail: `The service answered ${res.status}.` });
  }
  throw new ApiError({
    kind: 'problem',
    status: res.status,
    code: problem.code ?? 'error',
    detail,
    errors: problem.errors ?? [],
  });
}

async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await send(method, path, body);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A rendered file, for the browser to save. */
export interface RenderedFile {
  blob: Blob;
  filename: string;
}

async function download(path: string): Promise<RenderedFile> {
  const res = await send('GET', path, undefined, 'application/pdf, text/csv');
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'report';
  return { blob: await res.blob(), filename };
}

const qs = (params: Record<string, string | number | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
};

const enc = encodeURIComponent;

export interface CreateExperiment {
  key: string;
  name?: string;
  hypothesis?: string;
  variants: { key: string; weight?: number }[];
  trafficPercent: number;
  targetMetric?: string;
}

export interface ResultsParams {
  metric: string;
  method: Method;
  /** CUPED-adjusted comparison (results only). */
  cuped?: boolean;
}

export type ChannelIn = { type: 'webhook' | 'slack'; url: string } | { type: 'email'; to: string[] };

export interface AlertInput {
  name: string;
  type: AlertRule['type'];
  params: Record<string, unknown>;
  cooldownMinutes: number;
  enabled: boolean;
  channels?: ChannelIn[];
}

export const api = {
  me: () => request<Me>('GET', '/me'),
  summary: (days: number) => request<Summary>('GET', `/metrics/summary${qs({ days })}`),
  loops: (days: number) => request<LoopEfficiency>('GET', `/metrics/loop-efficiency${qs({ days })}`),
  growthTimeline: (days: number) => request<GrowthTimeline>('GET', `/metrics/timeline${qs({ days })}`),
  funnel: (days: number) => request<Funnel>('GET', `/metrics/funnel${qs({ days })}`),
  cohorts: () => request<Cohorts>('GET', `/metrics/cohorts${qs({ weeks: 12 })}`),
  retention: (days: number) =>
    request<Retention>('GET', `/metrics/retention${qs({ days, granularity: 'week', periods: 8 })}`),
  ltv: (days: number) => request<Ltv>('GET', `/metrics/ltv${qs({ days, horizonDays: 30 })}`),
  attribution: (days: number, model: AttributionModel) =>
    request<Attribution>('GET', `/metrics/attribution${qs({ days, model })}`),
  geo: (days: number) => request<Geo>('GET', `/metrics/geo${qs({ days })}`),
  forecast: (days: number) => request<Forecast>('GET', `/metrics/forecast${qs({ days, horizonDays: 30 })}`),
  experiments: (status?: Status) =>
    request<ExperimentList>('GET', `/experiments${qs({ status, limit: 500 })}`),
  experiment: (key: string) => request<Experiment>('GET', `/experiments/${enc(key)}`),
  history: (key: string) => request<History>('GET', `/experiments/${enc(key)}/history`),
  results: (key: string, p: ResultsParams) =>
    request<Results>(
      'GET',
      `/experiments/${enc(key)}/results${qs({ metric: p.metric, method: p.method, cuped: p.cuped ? 'true' : undefined })}`,
    ),
  bandit: (key: string) => request<BanditState>('GET', `/experiments/${enc(key)}/bandit`),
  resultsTimeline: (key: string, p: ResultsParams) =>
    request<ResultsTimeline>(
      'GET',
      `/experiments/${enc(key)}/results/timeline${qs({ metric: p.metric, method: p.method })}`,
    ),
  create: (body: CreateExperiment) => request<Experiment>('POST', '/experiments', body),
  start: (key: string) => request<Experiment>('POST', `/experiments/${enc(key)}/start`),
  pause: (key: string) => request<Experiment>('POST', `/experiments/${enc(key)}/stop`),
  anomalies: (metric: AnomalyMetric, days: number) =>
    request<Anomalies>('GET', `/metrics/anomalies${qs({ metric, days })}`),
  alerts: () => request<AlertList>('GET', `/alerts${qs({ limit: 500 })}`),
  alertDeliveries: (id: string, limit: number) =>
    request<DeliveryList>('GET', `/alerts/${enc(id)}/deliveries${qs({ limit })}`),
  createAlert: (body: AlertInput) => request<AlertRule>('POST', '/alerts', body),
  patchAlert: (id: string, body: Partial<AlertInput>) =>
    request<AlertRule>('PATCH', `/alerts/${enc(id)}`, body),
  deleteAlert: (id: string) => request<undefined>('DELETE', `/alerts/${enc(id)}`),
  reports: () => request<ReportList>('GET', `/reports${qs({ limit: 500 })}`),
  renderReport: (id: string, format: 'pdf' | 'csv') =>
    download(`/reports/${enc(id)}/render${qs({ format })}`),
  declareWinner: (key: string, variant: string) =>
    request<Experiment>('POST', `/experiments/${enc(key)}/winner`, { variant }),
};

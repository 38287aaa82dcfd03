// The view and its selections live in the URL (shareable, survive reload); this module is their single owner.
import { signal } from '@preact/signals';
import type { AttributionModel, Method, Status } from './api.js';

export const PERIODS = [7, 14, 30, 90] as const;
export type Period = (typeof PERIODS)[number];
export const STATUSES: Status[] = ['draft', 'running', 'paused', 'completed'];
export const MODELS: AttributionModel[] = [
  'first_touch',
  'last_touch',
  'linear',
  'time_decay',
  'position_based',
];

/**
 * The Growth view's windows, one per question: the signup cohorts of retention and LTV (`days`), the signups credited
 * by attribution, the signups and invites of geography, and the window the forecast is fitted on. Each defaults to
 * the window its endpoint takes without `days` (SPEC §8), so the view first shows what the API answers by default.
 */
export interface GrowthWindows {
  days: Period;
  attributionDays: Period;
  geoDays: Period;
  forecastDays: Period;
}
export const GROWTH_DEFAULTS: GrowthWindows = { days: 90, attributionDays: 7, geoDays: 7, forecastDays: 30 };

export type Route =
  | { view: 'k-factor'; days: Period }
  | { view: 'experiments'; status: Status | null }
  | ({ view: 'growth'; model: AttributionModel } & GrowthWindows)
  | { view: 'experiment'; key: string; metric: string | null; method: Method; cuped?: boolean }
  | { view: 'alerts' };

const BASE = '/dashboard';

function parseRoute(loc: { pathname: string; search: string }): Route {
  const q = new URLSearchParams(loc.search);
  const path = loc.pathname.replace(/\/+$/, '');
  const m = /^\/dashboard\/experiments\/([^/]+)$/.exec(path);
  if (m?.[1]) {
    return {
      view: 'experiment',
      key: decodeURIComponent(m[1]),
      metric: q.get('metric') || null,
      method: q.get('method') === 'sequential' ? 'sequential' : 'fixed',
      cuped: q.get('cuped') === 'true',
    };
  }
  if (path === `${BASE}/alerts`) return { view: 'alerts' };
  if (path === `${BASE}/experiments`) {
    const status = q.get('status');
    return { view: 'experiments', status: STATUSES.find((s) => s === status) ?? null };
  }
  const period = (name: string, fallback: Period) =>
    PERIODS.find((p) => p === Number(q.get(name))) ?? fallback;
  if (path === `${BASE}/growth`) {
    const model = q.get('model');
    return {
      view: 'growth',
      days: period('days', GROWTH_DEFAULTS.days),
      attributionDays: period('attributionDays', GROWTH_DEFAULTS.attributionDays),
      geoDays: period('geoDays', GROWTH_DEFAULTS.geoDays),
      forecastDays: period('forecastDays', GROWTH_DEFAULTS.forecastDays),
      model: MODELS.find((m) => m === model) ?? 'last_touch',
    };
  }
  return { view: 'k-factor', days: period('days', 7) };
}

export function routeUrl(r: Route): string {
  const q = new URLSearchParams();
  if (r.view === 'k-factor') {
    q.set('days', String(r.days));
    return `${BASE}/k-factor?${q}`;
  }
  if (r.view === 'growth') {
    q.set('days', String(r.days));
    q.set('attributionDays', String(r.attributionDays));
    q.set('geoDays', String(r.geoDays));
    q.set('forecastDays', String(r.forecastDays));
    q.set('model', r.model);
    return `${BASE}/growth?${q}`;
  }
  if (r.view === 'alerts') return `${BASE}/alerts`;
  if (r.view === 'experiments') {
    if (r.status) q.set('status', r.status);
    return `${BASE}/experiments${q.size ? `?${q}` : ''}`;
  }
  if (r.metric) q.set('metric', r.metric);
  if (r.method !== 'fixed') q.set('method', r.method);
  if (r.cuped) q.set('cuped', 'true');
  return `${BASE}/experiments/${encodeURIComponent(r.key)}${q.size ? `?${q}` : ''}`;
}

export const route = signal<Route>(parseRoute(location));

/** Moves to a view (a new history entry) or changes a selection in place (replace: Back leaves the view). */
export function navigate(r: Route, replace = false): void {
  const url = routeUrl(r);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route.value = r;
}

addEventListener('popstate', () => {
  route.value = parseRoute(location);
});

/** The last selections of each view, so moving between views keeps them. */
export const remembered = {
  days: 7 as Period,
  status: null as Status | null,
  growth: { ...GROWTH_DEFAULTS, model: 'last_touch' as AttributionModel },
};
route.subscribe((r) => {
  if (r.view === 'k-factor') remembered.days = r.days;
  if (r.view === 'experiments') remembered.status = r.status;
  if (r.view === 'growth') {
    const { days, attributionDays, geoDays, forecastDays, model } = r;
    remembered.growth = { days, attributionDays, geoDays, forecastDays, model };
  }
});

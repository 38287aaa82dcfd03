// Auto-refresh: every 60 s each view reloads its data in place, keeping the user's selections.
import { signal } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiFailure } from './api.js';
import { keyRejected } from './session.js';

const REFRESH_MS = 60_000;
const refreshTick = signal(0);
export const paused = signal(false);
export const lastUpdated = signal<Date | null>(null);

setInterval(() => {
  if (!paused.value) refreshTick.value++;
}, REFRESH_MS);

export const refreshNow = (): void => {
  refreshTick.value++;
};

export interface Loaded<T> {
  data: T | null;
  error: ApiFailure | null;
  loading: boolean;
}

/**
 * Loads data for a view and reloads it on every refresh tick. A change of selection (`deps`) drops the old data
 * so numbers of another period are never shown as this one's; a timed refresh keeps them until the new ones land.
 */
export function useApi<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  const depsKey = JSON.stringify(deps);
  const lastDeps = useRef(depsKey);
  const tick = refreshTick.value;
  useEffect(() => {
    let live = true;
    const changed = lastDeps.current !== depsKey;
    lastDeps.current = depsKey;
    setState((s) => ({ data: changed ? null : s.data, error: null, loading: true }));
    load().then(
      (data) => {
        if (!live) return;
        setState({ data, error: null, loading: false });
        lastUpdated.value = new Date();
      },
      (err: unknown) => {
        if (!live) return;
        const failure: ApiFailure =
          err instanceof ApiError ? err.failure : { kind: 'unreachable', detail: String(err) };
        if (failure.kind === 'unauthorized') keyRejected();
        setState((s) => ({ data: s.data, error: failure, loading: false }));
      },
    );
    return () => {
      live = false;
    };
    // load is a fresh closure each render; depsKey and tick say when it must run again.
  }, [depsKey, tick]);
  return state;
}

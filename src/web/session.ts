// Who is using the page: the key's scope from GET /v1/me, or why there is none yet.
import { computed, signal } from '@preact/signals';
import { ApiError, api, storeKey, storedKey, type Me } from './api.js';

export type SessionState = 'checking' | 'needs-key' | 'unreachable' | 'ready';

export const me = signal<Me | null>(null);
export const sessionState = signal<SessionState>('checking');
/** Why the key prompt is shown again (a rejected key), or null for the first ask. */
export const keyProblem = signal<string | null>(null);
export const canWrite = computed(() => me.value?.scope === 'admin');

export async function checkSession(): Promise<void> {
  // The page says when keys are required: ask first rather than make a call bound to fail.
  if (document.body.dataset.auth === 'on' && !storedKey()) {
    sessionState.value = 'needs-key';
    return;
  }
  sessionState.value = 'checking';
  try {
    me.value = await api.me();
    keyProblem.value = null;
    sessionState.value = 'ready';
  } catch (err) {
    const failure = err instanceof ApiError ? err.failure : null;
    if (failure?.kind === 'unauthorized') {
      keyProblem.value = storedKey() ? 'That key was not accepted. Check it and try again.' : null;
      storeKey(null);
      sessionState.value = 'needs-key';
    } else {
      sessionState.value = 'unreachable';
    }
  }
}

export function submitKey(key: string): Promise<void> {
  storeKey(key.trim());
  return checkSession();
}

/** A call answered 401 mid-session (the key was revoked): ask again, keeping the view in the URL. */
export function keyRejected(): void {
  storeKey(null);
  me.value = null;
  keyProblem.value = 'The service no longer accepts this key. Enter a valid key.';
  sessionState.value = 'needs-key';
}

export function forgetKey(): void {
  storeKey(null);
  me.value = null;
  keyProblem.value = null;
  sessionState.value = 'needs-key';
}

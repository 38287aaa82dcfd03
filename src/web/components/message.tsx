import type { ComponentChildren } from 'preact';
import type { ApiFailure } from '../api.js';

interface MessageProps {
  kind: 'error' | 'info' | 'warning';
  title: string;
  children?: ComponentChildren;
}

/** A notice in words: errors are announced to screen readers at once, the rest politely. */
export function Message({ kind, title, children }: MessageProps) {
  return (
    <div class={`message message-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

const TITLES: Record<ApiFailure['kind'], string> = {
  unauthorized: 'The key was not accepted (401)',
  forbidden: 'This key may not do that (403)',
  unreachable: 'The service cannot be reached',
  problem: 'The service refused the request',
};

/** Explains a failed call: what happened and what to do about it. */
export function FailureMessage({ failure, what }: { failure: ApiFailure; what: string }) {
  const hint =
    failure.kind === 'forbidden'
      ? 'Use a key with the read scope (or admin) to see this.'
      : failure.kind === 'unreachable'
        ? 'Check that Liftoff is running; the page retries at the next refresh.'
        : null;
  return (
    <Message kind="error" title={`${what}: ${TITLES[failure.kind]}`}>
      <p>{failure.detail}</p>
      {hint ? <p>{hint}</p> : null}
    </Message>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

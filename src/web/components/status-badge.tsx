import type { Status } from '../api.js';

export function StatusBadge({ status }: { status: Status }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

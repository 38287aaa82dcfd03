import type { History } from '../api.js';
import { fmtDateTime, words } from '../format.js';

const detailText = (d: Record<string, unknown>): string =>
  Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

/** Every lifecycle change of the experiment: what, who (key id), when. */
export function AuditHistory({ items }: { items: History['items'] }) {
  if (items.length === 0) return <p class="empty">No changes recorded yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Audit history, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">By</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((h, i) => (
            <tr key={i}>
              <td>
                {/* Date and time each stay whole when the column is narrow. */}
                <span class="nowrap">{fmtDateTime(h.at).slice(0, 10)}</span>{' '}
                <span class="nowrap">{fmtDateTime(h.at).slice(11)}</span>
              </td>
              <th scope="row">{words(h.action)}</th>
              <td class="id actor">{h.actor}</td>
              <td class="details">{detailText(h.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

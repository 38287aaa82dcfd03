import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Report, api } from '../api.js';
import { fmtDateTime } from '../format.js';

interface Rendered {
  url: string;
  filename: string;
  size: number;
}

/** Renders the report now (GET …/render) and offers the file to save; nothing is recorded or sent. */
function RenderNow({ report }: { report: Report }) {
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<Rendered | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => void (file && URL.revokeObjectURL(file.url)), [file]);
  const render = async (format: 'pdf' | 'csv') => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.renderReport(report.id, format);
      setFile({ url: URL.createObjectURL(r.blob), filename: r.filename, size: r.blob.size });
    } catch (err) {
      setError(err instanceof ApiError ? err.failure.detail : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <button
        type="button"
        disabled={busy}
        onClick={() => void render('pdf')}
        aria-label={`Render now (PDF): ${report.name}`}
      >
        Render now (PDF)
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() => void render('csv')}
        aria-label={`CSV: ${report.name}`}
      >
        CSV
      </button>
      {busy ? <span role="status">Rendering…</span> : null}
      {file ? (
        <a href={file.url} download={file.filename}>
          Save {file.filename} ({(file.size / 1024).toFixed(1)} kB)
        </a>
      ) : null}
      {error ? (
        <span class="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Report definitions with their schedule (in its time zone), next and last run, and a render-now action. */
export function ReportList({ reports }: { reports: Report[] }) {
  if (reports.length === 0)
    return (
      <p class="empty">
        No reports yet. Create one with <code>POST /v1/reports</code> (admin key).
      </p>
    );
  return (
    <div class="table-wrap">
      <table>
        <caption>Report definitions and schedules</caption>
        <thead>
          <tr>
            <th scope="col">Report</th>
            <th scope="col">Kind</th>
            <th scope="col">Schedule</th>
            <th scope="col">Next run</th>
            <th scope="col">Last run</th>
            <th scope="col">Render</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr key={r.id}>
              <th scope="row">{r.name}</th>
              <td>
                {r.kind}
                {r.experimentKey ? ` (${r.experimentKey})` : ''}, {r.days} days, {r.format.toUpperCase()}
              </td>
              <td>{r.schedule ? `${r.schedule} (${r.timezone})` : 'on demand'}</td>
              <td>{r.nextRunAt ? fmtDateTime(r.nextRunAt) : '—'}</td>
              <td>{r.lastRun ? `${r.lastRun.status}, ${fmtDateTime(r.lastRun.createdAt)}` : 'never'}</td>
              <td>
                <RenderNow report={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

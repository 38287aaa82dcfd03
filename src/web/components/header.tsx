import { me, forgetKey } from '../session.js';
import { remembered, route } from '../route.js';
import { Link } from './link.js';
import { RefreshControls } from './refresh-controls.js';

export function Header() {
  const view = route.value.view;
  const m = me.value;
  // An ingest key reads nothing: no refresh to show, and the header says so in words.
  const cannotRead = m?.scope === 'ingest';
  return (
    <header class="top">
      <a class="brand" href="/dashboard">
        Liftoff
      </a>
      <nav aria-label="Views">
        <Link to={{ view: 'k-factor', days: remembered.days }} current={view === 'k-factor'}>
          K-factor
        </Link>
        <Link
          to={{ view: 'experiments', status: remembered.status }}
          current={view === 'experiments' || view === 'experiment'}
        >
          Experiments
        </Link>
        <Link to={{ view: 'growth', ...remembered.growth }} current={view === 'growth'}>
          Growth
        </Link>
        <Link to={{ view: 'alerts' }} current={view === 'alerts'}>
          Alerts &amp; reports
        </Link>
      </nav>
      {cannotRead ? null : <RefreshControls />}
      {m ? (
        <div class="who">
          {m.authEnabled ? (
            <>
              <span>
                Key <span class="id key-id">{m.keyId}</span>
              </span>
              {cannotRead ? <strong class="cannot-read">This key cannot read</strong> : null}
              <button type="button" onClick={forgetKey}>
                Change key
              </button>
            </>
          ) : (
            <span>Authentication off (admin)</span>
          )}
        </div>
      ) : null}
    </header>
  );
}

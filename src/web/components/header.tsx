import { me, forgetKey } from '../session.js';
import { remembered, route } from '../route.js';
import { Link } from './link.js';
import { RefreshControls } from './refresh-controls.js';

export function Header() {
  const view = route.value.view;
  const m = me.value;
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
      <RefreshControls />
      {m ? (
        <div class="who">
          {m.authEnabled ? (
            <>
              <span>
                Key <span class="id">{m.keyId}</span> ({m.scope})
              </span>
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

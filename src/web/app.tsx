import { useEffect } from 'preact/hooks';
import { Header } from './components/header.js';
import { KeyPrompt } from './components/key-prompt.js';
import { Message } from './components/message.js';
import { route } from './route.js';
import { checkSession, forgetKey, me, sessionState } from './session.js';
import { AlertsView } from './views/alerts-view.js';
import { ExperimentDetailView } from './views/experiment-detail-view.js';
import { ExperimentsView } from './views/experiments-view.js';
import { GrowthView } from './views/growth-view.js';
import { KFactorView } from './views/k-factor-view.js';

function CurrentView() {
  const r = route.value;
  if (r.view === 'k-factor') return <KFactorView days={r.days} />;
  if (r.view === 'experiments') return <ExperimentsView status={r.status} />;
  if (r.view === 'alerts') return <AlertsView />;
  if (r.view === 'growth') {
    const { days, attributionDays, geoDays, forecastDays, model } = r;
    return <GrowthView {...{ days, attributionDays, geoDays, forecastDays, model }} />;
  }
  return (
    <ExperimentDetailView
      key={r.key}
      experimentKey={r.key}
      metric={r.metric}
      method={r.method}
      cuped={r.cuped ?? false}
    />
  );
}

export function App() {
  useEffect(() => {
    void checkSession();
  }, []);
  const state = sessionState.value;
  if (state === 'needs-key') return <KeyPrompt />;
  if (state === 'checking') {
    return (
      <main class="key-prompt">
        <p role="status">Connecting to Liftoff…</p>
      </main>
    );
  }
  if (state === 'unreachable') {
    return (
      <main class="key-prompt">
        <Message kind="error" title="The Liftoff service cannot be reached">
          <p>Check that the service is running, then try again.</p>
          <button type="button" onClick={() => void checkSession()}>
            Try again
          </button>
        </Message>
      </main>
    );
  }
  return (
    <>
      <Header />
      <main id="main">
        {me.value?.scope === 'ingest' ? (
          <Message kind="error" title="This key cannot read">
            <p>
              It has the ingest scope: it sends events and assignments, and every view here would answer 403.
              Open the dashboard with a key of the read or admin scope.
            </p>
            <button type="button" onClick={forgetKey}>
              Use another key
            </button>
          </Message>
        ) : (
          <CurrentView />
        )}
      </main>
    </>
  );
}

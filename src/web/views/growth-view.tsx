import { api, type AttributionModel } from '../api.js';
import { AttributionTables, ModelSwitch } from '../components/attribution-panel.js';
import { ForecastChart } from '../components/forecast-chart.js';
import { GeoMap } from '../components/geo-map.js';
import { LtvTable } from '../components/ltv-table.js';
import { Panel } from '../components/panel.js';
import { PeriodSelector } from '../components/period-selector.js';
import { RetentionHeatmap } from '../components/retention-heatmap.js';
import { fmtDateTime } from '../format.js';
import { useApi } from '../refresh.js';
import { type Period, navigate } from '../route.js';

/** Who stays, who pays, which loop gets the credit, where growth comes from, and where it is heading. */
export function GrowthView({ days, model }: { days: Period; model: AttributionModel }) {
  const retention = useApi(() => api.retention(days), [days]);
  const ltv = useApi(() => api.ltv(days), [days]);
  const attribution = useApi(() => api.attribution(days, model), [days, model]);
  const geo = useApi(() => api.geo(days), [days]);
  const forecast = useApi(() => api.forecast(days), [days]);
  const w = retention.data;
  return (
    <>
      <div class="view-head">
        <h1>Growth</h1>
        <PeriodSelector days={days} onChange={(d) => navigate({ view: 'growth', days: d, model }, true)} />
      </div>
      {w ? (
        <p class="window">
          Users who signed up {fmtDateTime(w.from)} – {fmtDateTime(w.to)}
        </p>
      ) : null}
      <Panel title="Retention by weekly cohort" loaded={retention}>
        {(d) => <RetentionHeatmap r={d} />}
      </Panel>
      <Panel title="LTV per loop" loaded={ltv}>
        {(d) => <LtvTable l={d} />}
      </Panel>
      <section class="panel" aria-labelledby="h-attribution">
        <h2 id="h-attribution">Attribution</h2>
        <ModelSwitch model={model} onChange={(m) => navigate({ view: 'growth', days, model: m }, true)} />
        <Panel title="Credit" loaded={attribution}>
          {(d) => <AttributionTables a={d} />}
        </Panel>
      </section>
      <Panel title="Geography" loaded={geo}>
        {(d) => <GeoMap g={d} />}
      </Panel>
      <Panel title="Forecast" loaded={forecast}>
        {(d) => <ForecastChart f={d} />}
      </Panel>
    </>
  );
}

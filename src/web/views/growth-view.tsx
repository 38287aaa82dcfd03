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
import { type GrowthWindows, navigate } from '../route.js';

/**
 * Who stays, who pays, which loop gets the credit, where growth comes from, and where it is heading. Each question
 * has its own window (the cohorts of retention and LTV share one), starting from its endpoint's default.
 */
export function GrowthView(props: GrowthWindows & { model: AttributionModel }) {
  const { days, attributionDays, geoDays, forecastDays, model } = props;
  const retention = useApi(() => api.retention(days), [days]);
  const ltv = useApi(() => api.ltv(days), [days]);
  const attribution = useApi(() => api.attribution(attributionDays, model), [attributionDays, model]);
  const geo = useApi(() => api.geo(geoDays), [geoDays]);
  const forecast = useApi(() => api.forecast(forecastDays), [forecastDays]);
  const change = (to: Partial<GrowthWindows> & { model?: AttributionModel }) =>
    navigate({ view: 'growth', ...props, ...to }, true);
  const w = retention.data;
  return (
    <>
      <div class="view-head">
        <h1>Growth</h1>
        <PeriodSelector
          days={days}
          name="cohort-period"
          legend="Cohorts signed up in the last"
          onChange={(d) => change({ days: d })}
        />
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
        <div class="controls">
          <ModelSwitch model={model} onChange={(m) => change({ model: m })} />
          <PeriodSelector
            days={attributionDays}
            name="attribution-period"
            legend="Signups in the last"
            onChange={(d) => change({ attributionDays: d })}
          />
        </div>
        <Panel title="Credit" loaded={attribution}>
          {(d) => <AttributionTables a={d} />}
        </Panel>
      </section>
      <Panel
        title="Geography"
        loaded={geo}
        controls={
          <PeriodSelector
            days={geoDays}
            name="geo-period"
            legend="Signups and invites in the last"
            onChange={(d) => change({ geoDays: d })}
          />
        }
      >
        {(d) => <GeoMap g={d} />}
      </Panel>
      <Panel
        title="Forecast"
        loaded={forecast}
        controls={
          <PeriodSelector
            days={forecastDays}
            name="forecast-period"
            legend="Fitted on the last"
            onChange={(d) => change({ forecastDays: d })}
          />
        }
      >
        {(d) => <ForecastChart f={d} />}
      </Panel>
    </>
  );
}

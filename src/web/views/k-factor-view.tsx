import { useCallback, useEffect, useMemo, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { AnomalyList, flaggedDays } from '../components/anomaly-list.js';
import { CohortTable } from '../components/cohort-table.js';
import { FunnelChart } from '../components/funnel-chart.js';
import { GrowthTimelineChart, quiet } from '../components/growth-timeline-chart.js';
import { KFactorCards } from '../components/k-factor-cards.js';
import { LoopTable } from '../components/loop-table.js';
import { Message } from '../components/message.js';
import { Panel } from '../components/panel.js';
import { PeriodSelector } from '../components/period-selector.js';
import { TopReferrersTable } from '../components/top-referrers-table.js';
import { fmtDateTime } from '../format.js';
import { useApi } from '../refresh.js';
import { type Period, navigate } from '../route.js';

/**
 * Marks `k-factor-drawn` in the performance timeline once, when every panel has its data on screen and the
 * timeline chart has drawn it: the view's draw time, measured from navigation.
 */
function useDrawnMark(ready: boolean, chartless: boolean) {
  const state = useRef({ marked: false, chart: false, ready, chartless });
  state.current.ready = ready;
  state.current.chartless = chartless;
  const check = () => {
    const s = state.current;
    if (s.marked || !s.ready || !(s.chart || s.chartless)) return;
    s.marked = true;
    performance.mark('k-factor-drawn');
  };
  useEffect(check);
  return useCallback(() => {
    state.current.chart = true;
    check();
  }, []);
}

/** The growth team's view: is growth viral, which loops drive it, and who the best referrers are. */
export function KFactorView({ days }: { days: Period }) {
  const summary = useApi(() => api.summary(days), [days]);
  const loops = useApi(() => api.loops(days), [days]);
  const timeline = useApi(() => api.growthTimeline(days), [days]);
  const funnel = useApi(() => api.funnel(days), [days]);
  const cohorts = useApi(() => api.cohorts(), []);
  const anomalies = useApi(
    () =>
      Promise.all([
        api.anomalies('signups', days),
        api.anomalies('invites', days),
        api.anomalies('k_factor', days),
      ]),
    [days],
  );
  const flagged = useMemo(() => flaggedDays(anomalies.data ?? []), [anomalies.data]);
  const ready = [summary, loops, timeline, funnel, cohorts].every((l) => l.data !== null);
  const onDrawn = useDrawnMark(ready, timeline.data ? quiet(timeline.data) : false);

  const s = summary.data;
  return (
    <>
      <div class="view-head">
        <h1>K-factor</h1>
        <PeriodSelector days={days} onChange={(d) => navigate({ view: 'k-factor', days: d }, true)} />
      </div>
      {s ? (
        <p class="window">
          {fmtDateTime(s.from)} – {fmtDateTime(s.to)}, conversion window {s.conversionWindowDays} days
          {s.complete ? '' : ' (recent invites can still convert)'}
        </p>
      ) : null}
      {s && s.invites === 0 ? (
        <Message kind="info" title="No invites in this period">
          Invites sent through <code>POST /v1/invites</code> (or <code>POST /v1/events</code>) show up here.
        </Message>
      ) : null}
      <Panel title="Key figures" loaded={summary}>
        {(d) => <KFactorCards s={d} />}
      </Panel>
      <div class="grid-2">
        <Panel title="Growth timeline" loaded={timeline}>
          {(d) => (
            <>
              <GrowthTimelineChart t={d} flagged={flagged} onDrawn={onDrawn} />
              {anomalies.data ? <AnomalyList flagged={flagged} /> : null}
            </>
          )}
        </Panel>
        <Panel title="Invite funnel" loaded={funnel}>
          {(d) => <FunnelChart stages={d.stages} />}
        </Panel>
      </div>
      <Panel title="K by loop" loaded={loops}>
        {(d) => <LoopTable loops={d.loops} />}
      </Panel>
      <div class="grid-2">
        <Panel title="Top referrers" loaded={summary}>
          {(d) => <TopReferrersTable referrers={d.topReferrers} />}
        </Panel>
        <Panel title="Cohorts" loaded={cohorts}>
          {(d) => <CohortTable cohorts={d.cohorts} />}
        </Panel>
      </div>
    </>
  );
}

import { resultsRows } from '../experiments/results-rows.js';
import { type CsvRow, toCsv } from '../routes/csv.js';
import type { ExperimentData, GrowthData, ReportData } from './report-data.js';

/** The growth report's cards, one row per figure, with the window repeated as columns. */
function growthRows(d: GrowthData): CsvRow[] {
  const s = d.summary;
  const figures: [string, number | string | null][] = [
    ['invites', s.invites],
    ['senders', s.senders],
    ['conversions', s.conversions],
    ['invitesPerSender', s.invitesPerSender],
    ['conversionRate', s.conversionRate],
    ['kFactor', s.kFactor],
    ['status', s.status],
    ['userBase', s.userBase],
    ['viralCoefficient', s.viralCoefficient],
    ['inviterShare', s.inviterShare],
    ['activeReferrers', s.activeReferrers],
    ['cycleP50Seconds', s.cycleTime.p50Seconds],
    ['cycleP90Seconds', s.cycleTime.p90Seconds],
    ['cycleMeanSeconds', s.cycleTime.meanSeconds],
  ];
  return figures.map(([figure, value]) => ({
    from: s.from,
    to: s.to,
    tz: s.tz,
    conversionWindowDays: s.conversionWindowDays,
    complete: s.complete,
    figure,
    value,
  }));
}

/** The results rows of every metric (as GET …/results?format=csv), with the decision repeated as columns. */
function experimentRows(d: ExperimentData): CsvRow[] {
  return d.results.flatMap((r) =>
    resultsRows(r).map((row) => ({
      ...row,
      decision: d.decision.decision,
      decisionVariant: d.decision.variant ?? null,
    })),
  );
}

export function renderCsv(d: ReportData): Buffer {
  return Buffer.from(toCsv(d.kind === 'growth' ? growthRows(d) : experimentRows(d)), 'utf8');
}

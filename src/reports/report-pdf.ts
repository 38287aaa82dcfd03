import {
  fmtDateTime,
  fmtDay,
  fmtDuration,
  fmtInt,
  fmtK,
  fmtLift,
  fmtNumber,
  fmtP,
  fmtPct,
} from './format.js';
import { PdfLayout } from './pdf-layout.js';
import type { ExperimentData, GrowthData, ReportData } from './report-data.js';

const words = (s: string) => s.replaceAll('_', ' ');

function growth(pdf: PdfLayout, d: GrowthData): void {
  const s = d.summary;
  const tz = d.window.tz;
  pdf.title(
    d.name,
    `Growth report - invites sent from ${fmtDateTime(d.window.from)} to ${fmtDateTime(d.window.to)}, days in ${tz}, ` +
      `conversion window ${d.window.conversionWindowDays} days${s.complete ? '' : ' (some invites can still convert)'} ` +
      `- generated ${fmtDateTime(d.generatedAt)}`,
  );
  pdf.heading('K-factor');
  pdf.figures([
    ['K-factor', `${fmtK(s.kFactor)} (${s.status})`],
    ['Viral coefficient', fmtK(s.viralCoefficient)],
    ['Conversion rate', fmtPct(s.conversionRate)],
    ['Invites', fmtInt(s.invites)],
    ['Conversions', fmtInt(s.conversions)],
    ['Active referrers', fmtInt(s.activeReferrers)],
    ['Invites per sender', fmtK(s.invitesPerSender)],
    [
      'Cycle time p50 / p90',
      `${fmtDuration(s.cycleTime.p50Seconds)} / ${fmtDuration(s.cycleTime.p90Seconds)}`,
    ],
    ['User base', fmtInt(s.userBase)],
  ]);
  pdf.heading('K by loop');
  pdf.table(
    [
      { header: 'Loop', width: 110 },
      { header: 'Invites', width: 50, align: 'right' },
      { header: 'Senders', width: 50, align: 'right' },
      { header: 'Conv.', width: 45, align: 'right' },
      { header: 'K', width: 40, align: 'right' },
      { header: 'Conv. rate', width: 55, align: 'right' },
      { header: 'Recommendation', width: 149 },
    ],
    d.loops.map((l) => [
      l.source,
      fmtInt(l.invites),
      fmtInt(l.senders),
      fmtInt(l.conversions),
      fmtK(l.kFactor),
      fmtPct(l.conversionRate),
      words(l.recommendation),
    ]),
  );
  pdf.heading('Top referrers');
  pdf.table(
    [
      { header: '#', width: 25, align: 'right' },
      { header: 'Referrer', width: 250 },
      { header: 'Invites', width: 70, align: 'right' },
      { header: 'Conversions', width: 70, align: 'right' },
      { header: 'Conv. rate', width: 84, align: 'right' },
    ],
    s.topReferrers.map((r) => [
      String(r.rank),
      r.referrerId,
      fmtInt(r.invites),
      fmtInt(r.conversions),
      fmtPct(r.conversionRate),
    ]),
  );
  pdf.heading('Funnel');
  pdf.table(
    [
      { header: 'Stage', width: 120 },
      { header: 'Count', width: 80, align: 'right' },
      { header: 'From previous', width: 90, align: 'right' },
      { header: 'From top', width: 90, align: 'right' },
      { header: 'Median time from previous', width: 119, align: 'right' },
    ],
    d.funnel.map((f) => [
      words(f.stage),
      fmtInt(f.count),
      fmtPct(f.conversionFromPrevious),
      fmtPct(f.conversionFromTop),
      fmtDuration(f.medianSecondsFromPrevious),
    ]),
  );
  pdf.heading(`Weekly cohorts (weeks from Monday, ${tz})`);
  pdf.table(
    [
      { header: 'Week of', width: 90 },
      { header: 'Size', width: 65, align: 'right' },
      { header: 'Invites', width: 65, align: 'right' },
      { header: 'Conversions', width: 75, align: 'right' },
      { header: 'Invites/user', width: 75, align: 'right' },
      { header: 'Conv. rate', width: 70, align: 'right' },
      { header: 'K', width: 59, align: 'right' },
    ],
    d.cohorts.map((c) => [
      fmtDay(c.weekStart, tz),
      fmtInt(c.size),
      fmtInt(c.invites),
      fmtInt(c.conversions),
      fmtNumber(c.avgInvitesPerUser),
      fmtPct(c.conversionRate),
      fmtK(c.kFactor),
    ]),
  );
  pdf.heading(`Growth timeline (days in ${tz})`);
  const labels = d.timeline.map((p) => fmtDay(p.periodStart, tz));
  pdf.lineChart(labels, [
    { name: 'Invites', color: '#2563eb', values: d.timeline.map((p) => p.invites), fmt: fmtInt },
    {
      name: 'Organic signups',
      color: '#16a34a',
      values: d.timeline.map((p) => p.organicSignups),
      fmt: fmtInt,
    },
    {
      name: 'Referred signups',
      color: '#f59e0b',
      values: d.timeline.map((p) => p.referredSignups),
      fmt: fmtInt,
    },
    { name: 'K', color: '#dc2626', values: d.timeline.map((p) => p.kFactor), fmt: fmtK },
  ]);
  pdf.table(
    [
      { header: 'Day', width: 80 },
      { header: 'Invites', width: 60, align: 'right' },
      { header: 'Clicks', width: 60, align: 'right' },
      { header: 'Organic', width: 60, align: 'right' },
      { header: 'Referred', width: 60, align: 'right' },
      { header: 'FVM', width: 60, align: 'right' },
      { header: 'Conv.', width: 60, align: 'right' },
      { header: 'K', width: 59, align: 'right' },
    ],
    d.timeline.map((p, i) => [
      labels[i]!,
      fmtInt(p.invites),
      fmtInt(p.clicks),
      fmtInt(p.organicSignups),
      fmtInt(p.referredSignups),
      fmtInt(p.fvm),
      fmtInt(p.conversions),
      fmtK(p.kFactor),
    ]),
  );
}

function experiment(pdf: PdfLayout, d: ExperimentData): void {
  const e = d.experiment;
  pdf.title(
    d.name,
    `Experiment report - ${e.key} (${e.name}), ${e.status}` +
      `${e.startedAt ? `, started ${fmtDateTime(e.startedAt)}` : ''}${e.winner ? `, winner ${e.winner}` : ''}` +
      ` - generated ${fmtDateTime(d.generatedAt)}`,
  );
  if (e.hypothesis) pdf.paragraph(`Hypothesis: ${e.hypothesis}`);
  pdf.heading(`Decision: ${d.decision.decision}${d.decision.variant ? ` (${d.decision.variant})` : ''}`);
  for (const r of d.decision.reasons) pdf.paragraph(`- ${r}`);
  for (const r of d.results) {
    pdf.heading(`Metric ${r.metric}${r.metric === e.targetMetric ? ' (target)' : ''}`);
    pdf.paragraph(
      `${r.method === 'fixed' ? 'Fixed-horizon' : 'Sequential'} z-test, alpha ${r.alpha}, ${r.correction} correction; ` +
        `exposed ${fmtInt(r.totals.exposed)}, converted ${fmtInt(r.totals.converted)}. ` +
        `SRM: chi-square ${fmtNumber(r.srm.chiSquare)}, p ${fmtP(r.srm.pValue)}` +
        `${r.srm.mismatch ? ' - SAMPLE RATIO MISMATCH' : ''}.`,
    );
    pdf.table(
      [
        { header: 'Variant', width: 85 },
        { header: 'Exposed', width: 48, align: 'right' },
        { header: 'Conv.', width: 45, align: 'right' },
        { header: 'Rate', width: 45, align: 'right' },
        { header: 'Lift', width: 45, align: 'right' },
        { header: 'Rel. lift', width: 45, align: 'right' },
        {
          header: `${Math.round((r.variants[0]?.ci.level ?? 1 - r.alpha) * 100)}% CI of lift`,
          width: 95,
          align: 'right',
        },
        { header: 'p', width: 40, align: 'right' },
        { header: 'p adj.', width: 40, align: 'right' },
        { header: 'Sig.', width: 31, align: 'right' },
      ],
      r.variants.map((v) => [
        `${v.variant}${v.isControl ? ' (control)' : ''}`,
        fmtInt(v.exposed),
        fmtInt(v.converted),
        fmtPct(v.conversionRate, 2),
        fmtLift(v.absoluteLift, 2),
        fmtLift(v.relativeLift),
        v.ci.absolute ? `${fmtLift(v.ci.absolute[0], 2)} to ${fmtLift(v.ci.absolute[1], 2)}` : '-',
        fmtP(v.pValue),
        fmtP(v.pValueAdjusted),
        v.significant === null ? '-' : v.significant ? 'yes' : 'no',
      ]),
      'No exposures yet.',
    );
    if (r.variants.some((v) => v.value !== null)) {
      pdf.table(
        [
          { header: 'Variant', width: 120 },
          { header: 'Value sum', width: 90, align: 'right' },
          { header: 'Mean per user', width: 90, align: 'right' },
          { header: 'Mean difference', width: 110, align: 'right' },
          { header: 'p (Welch)', width: 89, align: 'right' },
        ],
        r.variants.map((v) => [
          v.variant,
          fmtNumber(v.value?.sum),
          fmtNumber(v.value?.mean, 4),
          fmtNumber(v.value?.meanDifference, 4),
          fmtP(v.value?.pValue),
        ]),
      );
    }
    if (r.warnings.length > 0) pdf.paragraph(`Warnings: ${r.warnings.map(words).join(', ')}`);
  }
}

/** A PDF whose text holds every figure of the report (extractable with pdftotext). */
export function renderPdf(d: ReportData): Promise<Buffer> {
  const pdf = new PdfLayout(d.name, d.generatedAt);
  if (d.kind === 'growth') growth(pdf, d);
  else experiment(pdf, d);
  return pdf.finish();
}

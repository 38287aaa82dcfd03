import type { Results } from '../api.js';
import { fmtAmount, fmtInt, fmtK, fmtLift, fmtNumber, fmtP, fmtPct, metricName } from '../format.js';
import { LiftBar } from './lift-bar.js';

type Row = Results['variants'][number];

/** What a row compares, by kind of metric: conversion rate, mean value, or K (signups per exposed user). */
interface Shape {
  outcome: string;
  count: (r: Row) => string;
  countLabel: string;
  value: (r: Row) => string;
  lift: (r: Row) => { estimate: number | null; ci: [number, number] | null };
  liftLabel: string;
  pValue: (r: Row) => number | null;
  significant: (r: Row) => boolean | null;
  percent: boolean;
}

const shapeOf = (r: Results): Shape => {
  const sig = (p: number | null) => (p === null ? null : p < r.alpha);
  if (r.metric === 'k_factor') {
    return {
      outcome: 'K',
      countLabel: 'Signups',
      count: (v) => fmtInt(v.signups),
      value: (v) => fmtK(v.kFactor),
      lift: (v) => ({ estimate: v.value?.meanDifference ?? null, ci: v.value?.ci ?? null }),
      liftLabel: 'Difference in K',
      pValue: (v) => v.value?.pValue ?? null,
      significant: (v) => sig(v.value?.pValue ?? null),
      percent: false,
    };
  }
  if (r.variants.some((v) => v.value !== null)) {
    return {
      outcome: r.metric === 'ltv' ? `LTV (${r.horizonDays ?? 30} days)` : 'Mean value',
      countLabel: r.metric === 'ltv' ? 'Paying' : 'Conversions',
      count: (v) => fmtInt(v.converted),
      value: (v) => fmtAmount(v.value?.mean),
      lift: (v) => ({ estimate: v.value?.meanDifference ?? null, ci: v.value?.ci ?? null }),
      liftLabel: 'Difference in mean',
      pValue: (v) => v.value?.pValue ?? null,
      significant: (v) => sig(v.value?.pValue ?? null),
      percent: false,
    };
  }
  return {
    outcome: r.metric === 'retention_d7' ? 'Day-7 retention' : 'Rate',
    countLabel: r.metric === 'retention_d7' ? 'Retained' : 'Conversions',
    count: (v) => fmtInt(v.converted),
    value: (v) => fmtPct(v.conversionRate, 2),
    lift: (v) => ({ estimate: v.relativeLift, ci: v.ci.relative }),
    liftLabel: 'Relative lift',
    pValue: (v) => v.pValueAdjusted,
    significant: (v) => v.significant,
    percent: true,
  };
};

function SignificanceBadge({ significant }: { significant: boolean | null }) {
  if (significant === null) return <span class="badge badge-neutral">not enough data</span>;
  return significant ? (
    <span class="badge badge-significant">significant</span>
  ) : (
    <span class="badge badge-neutral">not significant</span>
  );
}

/** One row per variant against the control: counts, outcome, lift with its interval drawn, p-value, verdict. */
export function ResultsTable({ r }: { r: Results }) {
  const shape = shapeOf(r);
  const scale = Math.max(
    0.01,
    ...r.variants.flatMap((v) => {
      const l = shape.lift(v);
      return l.ci ? l.ci.map(Math.abs) : [];
    }),
  );
  const level = r.variants[0]?.ci.level ?? 1 - r.alpha;
  // retention_d7 and ltv compare the users whose window has elapsed; the others are pending.
  const windowed = r.totals.eligible !== undefined;
  return (
    <div class="table-wrap">
      <table class="results">
        <caption>
          Results for {metricName(r.metric)} (
          {r.method === 'sequential' ? 'sequential, always valid' : 'fixed horizon'}, α = {r.alpha})
        </caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" class="num">
              Exposed
            </th>
            {windowed ? (
              <th scope="col" class="num">
                Eligible (pending)
              </th>
            ) : null}
            <th scope="col" class="num">
              {shape.countLabel}
            </th>
            <th scope="col" class="num">
              {shape.outcome}
            </th>
            <th scope="col" class="num">
              {shape.liftLabel}
            </th>
            <th scope="col">{Math.round(level * 100)} % interval</th>
            <th scope="col" class="num">
              <span class="nowrap">p-value</span>
            </th>
            <th scope="col">Verdict</th>
            <th scope="col" class="num">
              Chance to beat control
            </th>
          </tr>
        </thead>
        <tbody>
          {r.variants.map((v) => {
            const lift = shape.lift(v);
            return (
              <tr key={v.variant}>
                <th scope="row">
                  {v.variant}
                  {v.isControl ? <span class="sub"> (control)</span> : null}
                </th>
                <td class="num">{fmtInt(v.exposed)}</td>
                {windowed ? (
                  <td class="num">
                    {fmtInt(v.eligible)} <span class="sub">({fmtInt(v.pending)})</span>
                  </td>
                ) : null}
                <td class="num">{shape.count(v)}</td>
                <td class="num">{shape.value(v)}</td>
                <td class="num">
                  {v.isControl ? '—' : shape.percent ? fmtLift(lift.estimate) : fmtNumber(lift.estimate, 3)}
                </td>
                <td class="bar-cell">
                  {v.isControl ? (
                    <span class="sub">baseline</span>
                  ) : (
                    <LiftBar
                      interval={lift.ci}
                      estimate={lift.estimate}
                      scale={scale}
                      percent={shape.percent}
                      level={level}
                    />
                  )}
                </td>
                <td class="num">{v.isControl ? '—' : fmtP(shape.pValue(v))}</td>
                <td>
                  {v.isControl ? (
                    <span class="sub">control</span>
                  ) : (
                    <SignificanceBadge significant={shape.significant(v)} />
                  )}
                </td>
                <td class="num">{v.isControl ? '—' : fmtPct(v.chanceToBeatControl)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// Only the pieces the dashboard draws, so the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

export const PALETTE = [
  '#2563eb',
  '#db2777',
  '#059669',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#65a30d',
  '#dc2626',
];

export type Dataset = ChartDataset<'line' | 'bar', (number | null)[]>;

interface LineChartProps {
  /** What the chart shows, for screen readers (the numbers are in the tables next to it). */
  label: string;
  labels: string[];
  datasets: Dataset[];
  yTitle: string;
  y1Title?: string;
  /** Called after each draw (the first one ends the view's draw time). */
  onDrawn?: () => void;
}

/** A Chart.js chart on one canvas, updated in place when its data changes (no flicker on refresh). */
export function LineChart({ label, labels, datasets, yTitle, y1Title, onDrawn }: LineChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line' | 'bar', (number | null)[], string> | null>(null);
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart<'line' | 'bar', (number | null)[], string>(canvas.current, {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          // autoSkipPadding: room between date labels, so they never run into each other on a narrow chart.
          x: { ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 24, maxTicksLimit: 8 } },
          y: { beginAtZero: true, title: { display: true, text: yTitle } },
          ...(y1Title
            ? {
                y1: {
                  position: 'right' as const,
                  beginAtZero: true,
                  grid: { drawOnChartArea: false },
                  title: { display: true, text: y1Title },
                },
              }
            : {}),
        },
        plugins: { legend: { position: 'bottom' } },
      },
      plugins: [{ id: 'drawn', afterRender: (c) => void (c.data.datasets.length > 0 && drawn.current?.()) }],
    });
    return () => chart.current?.destroy();
  }, [yTitle, y1Title]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = labels;
    c.data.datasets = datasets;
    c.update();
  }, [labels, datasets]);

  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

'use client';

// Charts are drawn in the browser (Tremor on recharts); the data comes rendered from the server.

import { AreaChart, BarChart, SparkAreaChart } from '@tremor/react';

import type { SeriesPoint } from '../lib/series.ts';

const formatters: Record<string, (v: number) => string> = {
  ms: (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`),
  // Cents from a dime up; below, two significant digits, so an axis of $0.003, $0.006 reads evenly.
  usd: (v) => `$${Math.abs(v) >= 0.1 ? v.toFixed(2) : Number(v.toPrecision(2))}`,
  percent: (v) => `${(v * 100).toFixed(1)}%`,
  count: (v) => Math.round(v).toLocaleString('en-US'),
};

export function SeriesChart({
  id,
  data,
  categories,
  unit,
  colors,
  stacked = false,
  kind = 'area',
}: {
  id: string;
  data: SeriesPoint[];
  categories: string[];
  unit: keyof typeof formatters;
  colors?: string[];
  stacked?: boolean;
  kind?: 'area' | 'bar';
}) {
  const props = {
    data,
    index: 'time',
    categories,
    valueFormatter: formatters[unit],
    colors: colors ?? ['blue', 'amber', 'rose', 'emerald', 'violet', 'cyan'],
    showAnimation: false,
    yAxisWidth: 64,
    className: 'h-56',
    stack: stacked,
    connectNulls: true,
  };
  return (
    <div data-testid={`chart-${id}`} data-points={data.length}>
      {kind === 'bar' ? <BarChart {...props} /> : <AreaChart {...props} />}
    </div>
  );
}

/** An SLO's burn rate over the view, as the alert engine measured it; rose once it crossed its page threshold. */
export function BurnSparkline({ id, data, threshold }: { id: string; data: SeriesPoint[]; threshold: number }) {
  const values = data.map((d) => d.burn).filter((v): v is number => typeof v === 'number');
  const peak = values.length ? Math.max(...values) : null;
  return (
    <div
      data-testid={`sparkline-${id}`}
      data-points={values.length}
      data-peak={peak ?? ''}
      title={peak === null ? undefined : `highest burn in view: ${peak.toFixed(1)}× (page at ${threshold}×)`}
    >
      <SparkAreaChart
        data={data}
        index="time"
        categories={['burn']}
        colors={[peak !== null && peak >= threshold ? 'rose' : 'blue']}
        connectNulls
        className="h-10 w-full"
      />
    </div>
  );
}

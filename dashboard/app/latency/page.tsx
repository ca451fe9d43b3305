// Latency: p50, p95 and p99 of latency and TTFT over time, a breakdown by surface, model or
// deployment sorted by p95, and the window's distribution.

import { Card, Text } from '@tremor/react';
import Link from 'next/link';
import { Suspense } from 'react';
import { type Caller, readDistribution, readMetrics } from '@vigil/core';
import { SeriesChart } from '../../components/charts.tsx';
import { DataTable } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { pool } from '../../lib/db.ts';
import { formatCount, formatMs, formatPercent } from '../../lib/format.ts';
import { toSeries } from '../../lib/series.ts';
import { requireCapability } from '../../lib/session.ts';
import { type View, resolveView, viewHref } from '../../lib/view.ts';
import { Skeleton } from '../../components/skeleton.tsx';

export const dynamic = 'force-dynamic';

const BREAKDOWNS = { surface: 'surface', model: 'model', deployment: 'deployment' } as const;

async function Breakdown({ caller, view, by }: { caller: Caller; view: View; by: keyof typeof BREAKDOWNS }) {
  const window = { from: view.from, to: view.to };
  const filters = { ...view.filters, category: ['model'] };
  const [breakdown, distribution] = await Promise.all([
    readMetrics(pool(), caller, {
      projectId: view.projectId,
      window,
      filters,
      groupBy: [BREAKDOWNS[by]],
      quantiles: [0.5, 0.95, 0.99],
    }),
    readDistribution(pool(), caller, { projectId: view.projectId, window, filters }),
  ]);
  const sorted = [...breakdown].sort((a, b) => (b.latencyMs.quantiles.p95 ?? -1) - (a.latencyMs.quantiles.p95 ?? -1));
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
      <Card>
        <div className="mb-2 flex items-center justify-between">
          <Text className="font-medium text-tremor-content-strong">By {by}, slowest p95 first</Text>
          <span className="flex gap-2 text-tremor-default">
            {Object.keys(BREAKDOWNS).map((key) => (
              <Link
                key={key}
                href={viewHref(view, '/latency', { by: key })}
                className={key === by ? 'font-semibold text-tremor-brand' : 'text-tremor-content'}
              >
                {key}
              </Link>
            ))}
          </span>
        </div>
        <DataTable
          id="latency-breakdown"
          empty="No model calls in this range."
          columns={[by, 'calls', 'p50', 'p95', 'p99', 'TTFT p95', 'errors']}
          rows={sorted.map((p) => [
            p.group[BREAKDOWNS[by]] ?? '(none)',
            formatCount(p.spans),
            formatMs(p.latencyMs.quantiles.p50),
            formatMs(p.latencyMs.quantiles.p95),
            formatMs(p.latencyMs.quantiles.p99),
            formatMs(p.ttftMs.quantiles.p95),
            formatPercent(p.errorRate, 2),
          ])}
        />
      </Card>
      <Card>
        <Text>Distribution of latency in this range (calls per bin)</Text>
        <SeriesChart
          id="latency-histogram"
          unit="count"
          kind="bar"
          data={distribution.map((b) => ({
            time: Number.isFinite(b.upperMs) ? `≤ ${formatMs(b.upperMs)}` : 'more',
            calls: b.count,
          }))}
          categories={['calls']}
        />
      </Card>
    </div>
  );
}

export default async function LatencyPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_health');
  const view = await resolveView(params, caller);
  const by = (
    typeof params.by === 'string' && params.by in BREAKDOWNS ? params.by : 'model'
  ) as keyof typeof BREAKDOWNS;
  const series = await readMetrics(pool(), caller, {
    projectId: view.projectId,
    window: { from: view.from, to: view.to },
    filters: { ...view.filters, category: ['model'] },
    stepMs: view.stepMs,
    quantiles: [0.5, 0.95, 0.99],
  });
  return (
    <>
      <ViewBar view={view} path="/latency" />
      <div className="mb-4 grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card>
          <Text>Latency of model calls</Text>
          <SeriesChart
            id="latency-quantiles"
            unit="ms"
            data={toSeries(series, view.stepMs, {
              p50: (p) => p.latencyMs.quantiles.p50 ?? null,
              p95: (p) => p.latencyMs.quantiles.p95 ?? null,
              p99: (p) => p.latencyMs.quantiles.p99 ?? null,
            })}
            categories={['p50', 'p95', 'p99']}
            colors={['emerald', 'blue', 'rose']}
          />
        </Card>
        <Card>
          <Text>Time to first token (streams)</Text>
          <SeriesChart
            id="ttft-quantiles"
            unit="ms"
            data={toSeries(series, view.stepMs, {
              p50: (p) => p.ttftMs.quantiles.p50 ?? null,
              p95: (p) => p.ttftMs.quantiles.p95 ?? null,
              p99: (p) => p.ttftMs.quantiles.p99 ?? null,
            })}
            categories={['p50', 'p95', 'p99']}
            colors={['emerald', 'violet', 'rose']}
          />
        </Card>
      </div>
      <Suspense fallback={<Skeleton className="h-72" />}>
        <Breakdown caller={caller} view={view} by={by} />
      </Suspense>
    </>
  );
}

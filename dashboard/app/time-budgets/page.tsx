// Time budgets: each surface's and each dependency's latency budget (timeBudgets in the config),
// its p95 against the budget, the share of calls over it, its trend, and the deployments and
// tenants that break it most.

import { Card, Text } from '@tremor/react';
import { type AlertsConfig, selectorFilters, TIME_BUDGET_LABEL } from '@vigil/alerts';
import { type Caller, readMetrics, readSli } from '@vigil/core';
import { SeriesChart } from '../../components/charts.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { DataTable } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { alertsConfigSource } from '../../lib/alerts-config.ts';
import { pool } from '../../lib/db.ts';
import { formatCount, formatMs, formatPercent } from '../../lib/format.ts';
import { toSeries } from '../../lib/series.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView, type View } from '../../lib/view.ts';

export const dynamic = 'force-dynamic';

type Budget = AlertsConfig['slos'][number] & { sli: { kind: 'latency'; thresholdMs: number } };

/** The project's time budgets: the latency SLOs the config's timeBudgets expanded into. */
function timeBudgetsOf(config: AlertsConfig, project: string): Budget[] {
  return config.slos.filter(
    (s): s is Budget => s.project === project && TIME_BUDGET_LABEL in s.labels && s.sli.kind === 'latency',
  );
}

const labelOf = (b: Budget) =>
  b.labels[TIME_BUDGET_LABEL] === 'surface' ? (b.labels.surface ?? b.name) : `${b.labels.category ?? b.name} calls`;

interface Worst {
  name: string;
  p95: number | null;
}

interface Measured {
  budget: Budget;
  calls: number;
  p95: number | null;
  overShare: number | null;
  worstDeployments: Worst[];
  worstTenants: Worst[];
}

async function measure(caller: Caller, view: View, budget: Budget): Promise<Measured> {
  const window = { from: view.from, to: view.to };
  const filters = { ...selectorFilters(budget.selector), ...view.filters };
  const query = { projectId: view.projectId, window, filters };
  // Who breaks it most: the groups whose p95 is over the budget, worst first.
  const worst = async (by: 'deployment' | 'tenant_id'): Promise<Worst[]> => {
    const points = await readMetrics(pool(), caller, { ...query, groupBy: [by], quantiles: [0.95] });
    return points
      .filter((p) => (p.latencyMs.quantiles.p95 ?? 0) > budget.sli.thresholdMs)
      .sort((a, b) => (b.latencyMs.quantiles.p95 ?? 0) - (a.latencyMs.quantiles.p95 ?? 0))
      .slice(0, 3)
      .map((p) => ({ name: p.group[by] ?? '(none)', p95: p.latencyMs.quantiles.p95 ?? null }));
  };
  const [[overall], sli, worstDeployments, worstTenants] = await Promise.all([
    readMetrics(pool(), caller, { ...query, quantiles: [0.95] }),
    readSli(pool(), caller, { ...query, metric: 'latency', thresholdMs: budget.sli.thresholdMs }),
    worst('deployment'),
    worst('tenant_id'),
  ]);
  return {
    budget,
    calls: sli.total,
    p95: overall?.latencyMs.quantiles.p95 ?? null,
    overShare: sli.total > 0 && sli.good !== null ? 1 - sli.good / sli.total : null,
    worstDeployments,
    worstTenants,
  };
}

const worstText = (list: Worst[]) => (list.length ? list.map((w) => `${w.name} ${formatMs(w.p95)}`).join(', ') : '—');

export default async function TimeBudgetsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_health');
  const view = await resolveView(params, caller);
  const budgets = timeBudgetsOf(await alertsConfigSource().current(), view.projectName);
  const window = { from: view.from, to: view.to };
  const [measured, series] = await Promise.all([
    Promise.all(budgets.map((b) => measure(caller, view, b))),
    Promise.all(
      budgets.map((b) =>
        readMetrics(pool(), caller, {
          projectId: view.projectId,
          window,
          filters: { ...selectorFilters(b.selector), ...view.filters },
          stepMs: view.stepMs,
          quantiles: [0.95],
          quantilesOf: ['latency'],
        }),
      ),
    ),
  ]);
  // One chart for all: each budget's p95 as a share of its budget, so 100% is on budget.
  const trend = new Map<string, Record<string, string | number | null>>();
  budgets.forEach((b, i) => {
    const points = toSeries(series[i]!, view.stepMs, {
      [labelOf(b)]: (p) => {
        const p95 = p.latencyMs.quantiles.p95;
        return p95 === null || p95 === undefined ? null : p95 / b.sli.thresholdMs;
      },
    });
    for (const point of points) trend.set(String(point.time), { ...trend.get(String(point.time)), ...point });
  });

  return (
    <>
      <ViewBar view={view} path="/time-budgets" />
      <Card className="mb-4">
        <Text className="mb-2 font-medium text-tremor-content-strong">Time budgets</Text>
        <DataTable
          id="time-budgets"
          empty="No time budgets for this project. Add them to vigil.config.yaml: timeBudgets: { surfaces: { /search: 600ms }, dependencies: { db: 300ms, model: 1.5s } }"
          columns={[
            'budget',
            'limit',
            'calls',
            'p95',
            'over budget',
            'objective',
            'worst deployments',
            'worst tenants',
          ]}
          rows={measured.map((m) => {
            const over = m.p95 !== null && m.p95 > m.budget.sli.thresholdMs;
            const missed = m.overShare !== null && m.overShare > 1 - m.budget.objective / 100;
            return [
              labelOf(m.budget),
              formatMs(m.budget.sli.thresholdMs),
              formatCount(m.calls),
              <StatusBadge key="p95" color={m.p95 === null ? 'gray' : over ? 'rose' : 'emerald'}>
                {formatMs(m.p95)}
              </StatusBadge>,
              <StatusBadge key="over" color={m.overShare === null ? 'gray' : missed ? 'rose' : 'emerald'}>
                {formatPercent(m.overShare, 2)}
              </StatusBadge>,
              `${m.budget.objective}% within`,
              worstText(m.worstDeployments),
              worstText(m.worstTenants),
            ];
          })}
        />
      </Card>
      {budgets.length ? (
        <Card>
          <Text>p95 as a share of its budget (100% is on budget)</Text>
          <SeriesChart
            id="time-budget-trend"
            unit="percent"
            data={[...trend.values()] as never}
            categories={budgets.map(labelOf)}
          />
        </Card>
      ) : null}
    </>
  );
}

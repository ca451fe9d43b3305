// Overview: is anything burning, where, and since which deploy? SLO tiles, the four headline
// charts, firing alerts and the latest deployments with their verdicts.

import { Card, Metric, Text } from '@tremor/react';
import { ALERT_STATE_COLOR, StatusBadge } from '../components/status-badge.tsx';
import Link from 'next/link';
import { BurnSparkline, SeriesChart } from '../components/charts.tsx';
import { ViewBar } from '../components/view-bar.tsx';
import { type AlertInstance, readAlertSamples, readAlerts, readDeployments, type SloObservation } from '@vigil/alerts';
import { callerCan, readMetrics } from '@vigil/core';
import { redirect } from 'next/navigation';
import { pool } from '../lib/db.ts';
import { formatCount, formatMs, formatPercent, formatSince, formatUsd } from '../lib/format.ts';
import { onStepGrid, toSeries } from '../lib/series.ts';
import { PAGES } from '../lib/pages.ts';
import { requireCaller } from '../lib/session.ts';
import { resolveView, viewHref } from '../lib/view.ts';

export const dynamic = 'force-dynamic';

const VERDICT_COLOR: Record<string, string> = { pass: 'emerald', fail: 'rose', inconclusive: 'amber', error: 'gray' };

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const caller = await requireCaller();
  // The landing page of a role that may not read health (finance): its first page instead.
  if (!callerCan(caller, 'read_health')) redirect(PAGES.find((p) => callerCan(caller, p.needs))?.href ?? '/denied');
  const view = await resolveView(await searchParams, caller);
  const window = { from: view.from, to: view.to };
  const filters = { ...view.filters, category: ['model'] };
  const [series, totals, alerts, deployments] = await Promise.all([
    readMetrics(pool(), caller, { projectId: view.projectId, window, filters, stepMs: view.stepMs, quantiles: [0.95] }),
    readMetrics(pool(), caller, { projectId: view.projectId, window, filters, quantiles: [0.95] }),
    readAlerts(pool(), caller, { projectId: view.projectId }),
    readDeployments(pool(), caller, { projectId: view.projectId, limit: 6 }),
  ]);
  const total = totals[0];
  const slos = [...new Set(alerts.filter((a) => a.kind === 'slo').map((a) => a.name))].map((name) => {
    const instances = alerts.filter((a) => a.kind === 'slo' && a.name === name);
    const worst =
      instances.find((a) => a.state === 'firing') ??
      instances.find((a) => a.state !== 'normal' && a.state !== 'resolved') ??
      instances[0]!;
    const page = sloObservation(instances.find((a) => a.severity === 'page'));
    const windows = page?.windows ?? [];
    const budgetRemaining = page?.budgetRemaining ?? null;
    // The SLI over the whole period, as the engine last measured it: the number to hold against the objective.
    const current = page?.periodEvents && page.periodBad !== undefined ? 1 - page.periodBad / page.periodEvents : null;
    return {
      name,
      current,
      state: worst.state,
      severity: worst.severity,
      objective: sloObservation(worst)?.objective,
      windows,
      sli: page?.sli ?? worst.labels.sli,
      budgetRemaining,
      periodDays: page ? Math.round(page.periodMs / 86_400_000) : null,
    };
  });
  // The burn sparkline follows the page instance (its fastest window pair), as alerting does.
  const pageInstances = new Map(
    alerts.filter((a) => a.kind === 'slo' && a.severity === 'page').map((a) => [a.name, a.fingerprint]),
  );
  const burnSamples = pageInstances.size
    ? await readAlertSamples(pool(), caller, {
        projectId: view.projectId,
        window,
        stepMs: view.stepMs,
        fingerprints: [...pageInstances.values()],
      })
    : {};
  const burnSeries = (name: string) =>
    onStepGrid(burnSamples[pageInstances.get(name) ?? ''] ?? [], view.from, view.to, view.stepMs, 'burn');
  const firing = alerts.filter((a) => ['firing', 'recovering', 'pending', 'nodata', 'error'].includes(a.state));

  if (!total || total.spans === 0) {
    if (alerts.length === 0 && deployments.length === 0) {
      return (
        <>
          <ViewBar view={view} path="/" />
          <Card data-testid="empty-state">
            <Text className="text-tremor-title font-semibold text-tremor-content-strong">
              No model calls yet in {view.projectName}
            </Text>
            <Text className="mt-2">Point your app at the collector and send your first span:</Text>
            <pre className="mt-3 overflow-x-auto rounded-tremor-small bg-tremor-background-subtle p-3 text-tremor-label">{`export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
export OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer $(cat .vigil/default-ingest-key)"
# or: import { init } from '@vigil/sdk' — see sdk/README.md`}</pre>
            <Text className="mt-3">
              Or run the demo: <code>npx vigil up --demo</code>.
            </Text>
          </Card>
        </>
      );
    }
  }

  return (
    <>
      <ViewBar view={view} path="/" />
      <h1 className="mb-4 text-tremor-title font-semibold">
        {view.projectName}{' '}
        {view.tenantScoped ? <span className="text-tremor-content">· tenant {view.tenantScoped}</span> : null}
      </h1>

      <section className="mb-6 grid grid-cols-2 gap-4 xl:grid-cols-4" aria-label="SLOs">
        {slos.length === 0 ? (
          <Card className="col-span-full">
            <Text>
              No SLOs yet: declare them in vigil.config.yaml (see the README, “Alerts, canaries and rollback”).
            </Text>
          </Card>
        ) : (
          slos.map((slo) => (
            <Card
              key={slo.name}
              data-testid={`slo-${slo.name}`}
              decoration="top"
              decorationColor={ALERT_STATE_COLOR[slo.state] as never}
            >
              <div className="flex items-center justify-between">
                <Link
                  href={viewHref(view, `/slos/${encodeURIComponent(slo.name)}`)}
                  className="font-medium text-tremor-content-strong hover:text-tremor-brand"
                  data-testid={`slo-link-${slo.name}`}
                >
                  {slo.name}
                </Link>
                <StatusBadge color={ALERT_STATE_COLOR[slo.state]}>{slo.state}</StatusBadge>
              </div>
              <Text className="mt-1">{slo.sli}</Text>
              <div className="mt-2 flex items-baseline justify-between gap-2" data-testid={`slo-current-${slo.name}`}>
                <span
                  className={`text-2xl font-semibold ${slo.current !== null && slo.objective !== undefined && slo.current * 100 < slo.objective ? 'text-rose-600 dark:text-rose-400' : ''}`}
                >
                  {formatPercent(slo.current, 2)}
                </span>
                <span className="whitespace-nowrap text-tremor-label text-tremor-content">
                  objective {slo.objective ?? '—'}%{slo.periodDays ? ` over ${slo.periodDays}d` : ''}
                </span>
              </div>
              <div className="mt-2 flex items-baseline justify-between" data-testid={`slo-budget-${slo.name}`}>
                <span className="text-tremor-label text-tremor-content">error budget left</span>
                <span
                  className={`text-tremor-title font-semibold ${slo.budgetRemaining !== null && slo.budgetRemaining < 0 ? 'text-rose-600 dark:text-rose-400' : ''}`}
                >
                  {formatPercent(slo.budgetRemaining, 0)}
                </span>
              </div>
              {slo.windows[0] ? (
                <div className="mt-2">
                  <span className="text-tremor-label text-tremor-content">
                    burn rate ({Math.round(slo.windows[0].long / 60_000)}m window) over this range
                  </span>
                  <BurnSparkline id={slo.name} data={burnSeries(slo.name)} threshold={slo.windows[0].threshold} />
                </div>
              ) : null}
              <div className="mt-2 space-y-1 text-tremor-label">
                {slo.windows.map((w) => (
                  <div key={`${w.long}/${w.short}`} className="flex justify-between">
                    <span>burn {Math.round(w.long / 60_000)}m window</span>
                    <span
                      className={
                        w.longBurn !== null && w.longBurn >= w.threshold ? 'text-rose-600 dark:text-rose-400' : ''
                      }
                    >
                      {w.longBurn === null ? '—' : `${w.longBurn.toFixed(1)}×`} / {w.threshold}×
                    </span>
                  </div>
                ))}
              </div>
            </Card>
          ))
        )}
      </section>

      <section className="mb-6 grid grid-cols-2 gap-4 xl:grid-cols-4" aria-label="headline numbers">
        <Card>
          <Text>Model calls</Text>
          <Metric data-testid="total-calls">{formatCount(total?.spans ?? 0)}</Metric>
        </Card>
        <Card>
          <Text>p95 latency</Text>
          <Metric data-testid="total-p95">{formatMs(total?.latencyMs.quantiles.p95)}</Metric>
        </Card>
        <Card>
          <Text>Error rate</Text>
          <Metric data-testid="total-error-rate">{formatPercent(total?.errorRate, 2)}</Metric>
        </Card>
        <Card>
          <Text>Spend</Text>
          <Metric data-testid="total-spend">{formatUsd(total?.costUsd ?? 0)}</Metric>
        </Card>
      </section>

      <section className="mb-6 grid grid-cols-1 gap-4 xl:grid-cols-2" aria-label="charts">
        <Card>
          <Text>p95 latency of model calls</Text>
          <SeriesChart
            id="latency"
            unit="ms"
            data={toSeries(series, view.stepMs, { p95: (p) => p.latencyMs.quantiles.p95 ?? null })}
            categories={['p95']}
          />
        </Card>
        <Card>
          <Text>TTFT p95 (streams)</Text>
          <SeriesChart
            id="ttft"
            unit="ms"
            colors={['violet']}
            data={toSeries(series, view.stepMs, { 'TTFT p95': (p) => p.ttftMs.quantiles.p95 ?? null })}
            categories={['TTFT p95']}
          />
        </Card>
        <Card>
          <Text>Error rate</Text>
          <SeriesChart
            id="errors"
            unit="percent"
            colors={['rose']}
            data={toSeries(series, view.stepMs, { errors: (p) => p.errorRate })}
            categories={['errors']}
          />
        </Card>
        <Card>
          <Text>Spend</Text>
          <SeriesChart
            id="spend"
            unit="usd"
            kind="bar"
            colors={['emerald']}
            data={toSeries(series, view.stepMs, { spend: (p) => p.costUsd })}
            categories={['spend']}
          />
        </Card>
      </section>

      <section className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card data-testid="firing-alerts">
          <Text className="mb-2 font-medium text-tremor-content-strong">Alerts now</Text>
          {firing.length === 0 ? (
            <Text>Nothing firing.</Text>
          ) : (
            <ul className="divide-y divide-tremor-border text-tremor-default">
              {firing.map((a) => (
                <li key={a.fingerprint} className="flex items-center justify-between py-2">
                  <span>
                    <StatusBadge color={ALERT_STATE_COLOR[a.state]}>{a.state}</StatusBadge>{' '}
                    <span className="ml-2">{a.name}</span> <span className="text-tremor-content">[{a.severity}]</span>
                  </span>
                  <span className="text-tremor-label text-tremor-content">
                    since {formatSince(a.firedAt ?? a.since, Date.now())}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card data-testid="deployments">
          <Text className="mb-2 font-medium text-tremor-content-strong">Latest deployments</Text>
          {deployments.length === 0 ? (
            <Text>No deployments recorded: `vigil deploy start --deployment v42 --baseline v41`.</Text>
          ) : (
            <table className="w-full text-left text-tremor-default">
              <thead className="text-tremor-label text-tremor-content">
                <tr>
                  <th className="py-1">deployment</th>
                  <th>baseline</th>
                  <th>state</th>
                  <th>verdict</th>
                  <th>score</th>
                </tr>
              </thead>
              <tbody>
                {deployments.map((d) => (
                  <tr key={d.name} className="border-t border-tremor-border" data-testid={`deployment-${d.name}`}>
                    <td className="py-1">{d.name}</td>
                    <td>{d.baseline ?? '—'}</td>
                    <td>{d.state.replace('_', ' ')}</td>
                    <td>{d.verdict ? <StatusBadge color={VERDICT_COLOR[d.verdict]}>{d.verdict}</StatusBadge> : '—'}</td>
                    <td>{d.score ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Text className="mt-2 text-tremor-label">
            <Link href={`/cost?${view.query}`}>Cost by tenant →</Link>
          </Text>
        </Card>
      </section>
    </>
  );
}

/** What the engine last saw of an SLO instance (nothing when its evaluation failed). */
function sloObservation(instance: AlertInstance | undefined): SloObservation | null {
  return instance?.observed.kind === 'slo' ? instance.observed : null;
}

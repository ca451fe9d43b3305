// One SLO: its SLI over the period against the objective, the error budget burning down, the burn
// rate of each window against its threshold, the alerts it raised, and the deployments drawn on
// its charts. The overview's SLO tiles link here.

import { Card, Text } from '@tremor/react';
import { notFound } from 'next/navigation';
import {
  countSloEvents,
  periodBuckets,
  readAlertHistory,
  readAlerts,
  readDeployments,
  type SloObservation,
  sloHistory,
} from '@vigil/alerts';
import { SloChart } from '../../../components/slo-chart.tsx';
import { ALERT_STATE_COLOR, StatusBadge } from '../../../components/status-badge.tsx';
import { DataTable, shortTime } from '../../../components/table.tsx';
import { ViewBar } from '../../../components/view-bar.tsx';
import { alertsConfigSource } from '../../../lib/alerts-config.ts';
import { pool } from '../../../lib/db.ts';
import { formatPercent } from '../../../lib/format.ts';
import { requireCapability } from '../../../lib/session.ts';
import { resolveView } from '../../../lib/view.ts';

export const dynamic = 'force-dynamic';

/** Buckets over the period: a day each over 30 days. */
const BUCKETS = 30;

/** A bucket's label: its day (MM-DD) when buckets are days or longer, else its minute. */
const label = (ms: number, bucketMs: number) =>
  new Date(ms)
    .toISOString()
    .slice(5, bucketMs >= 86_400_000 ? 10 : 16)
    .replace('T', ' ');

export default async function SloPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { name } = await params;
  const caller = await requireCapability('read_health');
  const view = await resolveView(await searchParams, caller);
  const { config } = await alertsConfigSource().load();
  const slo = config.slos.find((s) => s.name === decodeURIComponent(name) && s.project === view.projectName);
  if (!slo) notFound();
  const now = Date.now();
  const objective = slo.objective / 100;
  const buckets = periodBuckets(now, slo.period, BUCKETS);
  const bucketMs = buckets[0] ? buckets[0].toMs - buckets[0].fromMs : slo.period;
  const [counts, alerts, history, deployments] = await Promise.all([
    Promise.all(
      buckets.map((b) =>
        countSloEvents(pool(), caller, slo, view.projectId, { from: new Date(b.fromMs), to: new Date(b.toMs) }),
      ),
    ),
    readAlerts(pool(), caller, { projectId: view.projectId }),
    readAlertHistory(pool(), caller, { projectId: view.projectId, limit: 500 }),
    readDeployments(pool(), caller, { projectId: view.projectId, limit: 100 }),
  ]);
  const points = sloHistory(
    buckets.map((b, i) => ({ ...b, counts: counts[i]! })),
    objective,
  );
  const periodStart = buckets[0]?.fromMs ?? now - slo.period;
  // The minute under way belongs to the last bucket: a deployment started seconds ago is drawn there.
  const bucketOf = (ms: number) => buckets.find((b, i) => ms >= b.fromMs && (ms < b.toMs || i === buckets.length - 1));
  // One line per bucket, naming every deployment that started in it (labels never drawn over each other).
  const started = new Map<string, string[]>();
  for (const d of deployments) {
    const at = Date.parse(d.startedAt);
    const bucket = at >= periodStart ? bucketOf(at) : undefined;
    if (!bucket) continue;
    const time = label(bucket.fromMs, bucketMs);
    started.set(time, [...(started.get(time) ?? []), d.name]);
  }
  const overlay = [...started].map(([time, names]) => ({ time, name: names.sort().join(', ') }));
  const instances = alerts.filter((a) => a.kind === 'slo' && a.name === slo.name);
  const events = history.events.filter((e) => e.name === slo.name);
  const total = counts.reduce((s, c) => s + c.total, 0);
  const bad = counts.reduce((s, c) => s + c.bad, 0);
  const last = points.at(-1)?.budgetRemaining ?? null;
  return (
    <>
      <ViewBar view={view} path={`/slos/${encodeURIComponent(slo.name)}`} />
      <Card className="mb-6" data-testid="slo-summary">
        <Text className="text-tremor-title font-semibold text-tremor-content-strong">{slo.name}</Text>
        <Text className="mt-1">
          {slo.description ?? `${slo.sli.kind} SLI`}: objective {slo.objective}% over{' '}
          {Math.round(slo.period / 86_400_000)}
          d; {total.toLocaleString('en-US')} events this period, {bad.toLocaleString('en-US')} bad
          {total > 0 ? ` (SLI ${formatPercent(1 - bad / total, 3)})` : ''}; error budget left{' '}
          <span data-testid="slo-budget-left">{formatPercent(last, 1)}</span>.
        </Text>
      </Card>
      <div className="mb-6 grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card>
          <Text className="mb-2 font-medium text-tremor-content-strong">
            SLI per {bucketMs >= 86_400_000 ? 'day' : 'bucket'} against the objective
          </Text>
          <SloChart
            id="slo-sli"
            data={points.map((p) => ({ time: label(p.fromMs, bucketMs), value: p.sli }))}
            target={objective}
            targetLabel={`objective ${slo.objective}%`}
            deployments={overlay}
          />
        </Card>
        <Card>
          <Text className="mb-2 font-medium text-tremor-content-strong">Error budget left, over the period</Text>
          <SloChart
            id="slo-budget"
            data={points.map((p) => ({ time: label(p.fromMs, bucketMs), value: p.budgetRemaining }))}
            target={0}
            targetLabel="spent"
            deployments={overlay}
          />
        </Card>
      </div>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <Card>
          <Text className="mb-2 font-medium text-tremor-content-strong">
            Burn rate per window, as the engine last measured
          </Text>
          <DataTable
            id="slo-windows"
            empty="The alert engine has not evaluated this SLO yet."
            columns={['severity', 'state', 'windows', 'long burn', 'short burn', 'threshold']}
            rows={instances.flatMap((a) =>
              (a.observed.kind === 'slo' ? (a.observed as SloObservation).windows : []).map((w) => [
                a.severity,
                <StatusBadge key="state" color={ALERT_STATE_COLOR[a.state]}>
                  {a.state}
                </StatusBadge>,
                `${Math.round(w.long / 60_000)}m / ${Math.round(w.short / 60_000)}m`,
                w.longBurn === null ? '—' : `${w.longBurn.toFixed(2)}×`,
                w.shortBurn === null ? '—' : `${w.shortBurn.toFixed(2)}×`,
                `${w.threshold}×`,
              ]),
            )}
          />
        </Card>
        <Card>
          <Text className="mb-2 font-medium text-tremor-content-strong">Alerts it raised</Text>
          <DataTable
            id="slo-alert-events"
            empty="No alert changes for this SLO."
            columns={['when (UTC)', 'severity', 'from', 'to']}
            rows={events.map((e) => [shortTime(e.at), e.severity, e.from, e.to])}
          />
        </Card>
      </div>
    </>
  );
}

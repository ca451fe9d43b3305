// Alerts: what is firing and what happened, the silences, and whether notifications and rollback
// hooks were delivered.

import { Badge, Card, Text } from '@tremor/react';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { queryApi } from '../../lib/db.ts';
import { requireCaller } from '../../lib/session.ts';
import { resolveView } from '../../lib/view.ts';

export const dynamic = 'force-dynamic';

const COLOR: Record<string, string> = { firing: 'rose', recovering: 'amber', pending: 'amber', nodata: 'gray', error: 'gray', normal: 'emerald', resolved: 'emerald', sent: 'emerald', pending_delivery: 'amber', failed: 'rose', silenced: 'gray', inhibited: 'gray' };

function describe(observed: Record<string, unknown>): string {
  const windows = observed.windows as { long: number; short: number; threshold: number; longBurn: number | null; shortBurn: number | null }[] | undefined;
  if (windows) return windows.map((w) => `${Math.round(w.long / 60_000)}m/${Math.round(w.short / 60_000)}m ${w.longBurn?.toFixed(1) ?? '—'}×/${w.shortBurn?.toFixed(1) ?? '—'}× vs ${w.threshold}×`).join(' · ');
  if ('metric' in observed) return `${observed.metric} = ${typeof observed.value === 'number' ? observed.value.toFixed(3) : '—'} ${observed.op} ${observed.threshold}`;
  if ('monthlyUsd' in observed) return `spent $${Number(observed.spentUsd).toFixed(2)}, forecast $${Number(observed.forecastUsd).toFixed(2)} of $${observed.monthlyUsd}`;
  if ('error' in observed) return `error: ${observed.error}`;
  return '';
}

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const caller = await requireCaller();
  const view = await resolveView(await searchParams, caller);
  const api = queryApi();
  const [instances, history] = await Promise.all([api.alerts(caller, { projectId: view.projectId }), api.alertHistory(caller, { projectId: view.projectId, limit: 100 })]);
  return (
    <>
      <ViewBar view={view} path="/alerts" />
      <div className="grid grid-cols-1 gap-4">
        <Card>
          <Text className="mb-2 font-medium text-tremor-content-strong">Alert instances</Text>
          <DataTable
            id="alert-instances"
            empty="No alerts defined: add SLOs, rules or budgets to vigil.config.yaml."
            columns={['state', 'alert', 'kind', 'severity', 'since', 'last evaluated', 'what the engine saw']}
            rows={instances.map((a) => [<Badge key="s" color={COLOR[a.state] as never}>{a.state}</Badge>, a.name, a.kind, a.severity, shortTime(a.firedAt ?? a.since), shortTime(a.evaluatedAt), describe(a.observed)])}
          />
        </Card>
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Timeline</Text>
            <DataTable id="alert-timeline" empty="No state changes yet." columns={['at', 'alert', 'severity', 'change']} rows={history.events.map((e) => [shortTime(e.at), e.name, e.severity, `${e.from} → ${e.to}`])} />
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Silences</Text>
            <DataTable
              id="silences"
              empty="No silences. Add one in alert_silences (see docs/operations.md)."
              columns={['matchers', 'from', 'until', 'comment', '']}
              rows={history.silences.map((s) => [Object.entries(s.matchers).map(([k, v]) => `${k}=${v}`).join(', '), shortTime(s.startsAt), shortTime(s.endsAt), s.comment ?? '', s.active ? <Badge key="a" color="amber">active</Badge> : 'expired'])}
            />
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Notifications</Text>
            <DataTable
              id="notifications"
              empty="Nothing sent yet."
              columns={['at', 'kind', 'severity', 'to', 'status', 'tries', 'last error']}
              rows={history.notifications.map((n) => [shortTime(n.at), n.kind, n.severity, `${n.channel} (${n.target})`, <Badge key="s" color={COLOR[n.status === 'pending' ? 'pending_delivery' : n.status] as never}>{n.status}</Badge>, n.attempts, n.lastError ?? ''])}
            />
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Rollback hook calls</Text>
            <DataTable
              id="hook-calls"
              empty="No rollbacks."
              columns={['at', 'deployment', 'hook', 'try', 'status', 'took', 'error']}
              rows={history.hookCalls.map((h) => [shortTime(h.at), h.deployment, h.hook, h.attempt, h.statusCode ?? '—', `${Math.round(h.durationMs)} ms`, h.ok ? <Badge key="ok" color="emerald">ok</Badge> : (h.error ?? 'failed')])}
            />
          </Card>
        </div>
      </div>
    </>
  );
}

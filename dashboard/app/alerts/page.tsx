// Alerts: what is firing and what happened, the silences, and whether notifications and rollback
// hooks were delivered.

import { Card, Text } from '@tremor/react';
import { Notice } from '../../components/notice.tsx';
import { ALERT_STATE_COLOR, StatusBadge } from '../../components/status-badge.tsx';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { type AlertObservation, readAlertHistory, readAlerts } from '@vigil/alerts';
import { callerCan } from '@vigil/core';
import { pool } from '../../lib/db.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView, viewQuery } from '../../lib/view.ts';
import { apiErrorText, callVigilApi } from '../../lib/vigil-api.ts';
import { createSilence, expireSilence } from './actions.ts';
import { ViewFormFields } from '../../components/view-form-fields.tsx';

export const dynamic = 'force-dynamic';

const COLOR: Record<string, string> = {
  ...ALERT_STATE_COLOR,
  sent: 'emerald',
  pending_delivery: 'amber',
  failed: 'rose',
  silenced: 'gray',
  inhibited: 'gray',
};

function describe(observed: AlertObservation): string {
  switch (observed.kind) {
    case 'slo':
      return observed.windows
        .map(
          (w) =>
            `${Math.round(w.long / 60_000)}m/${Math.round(w.short / 60_000)}m ${w.longBurn?.toFixed(1) ?? '—'}×/${w.shortBurn?.toFixed(1) ?? '—'}× vs ${w.threshold}×`,
        )
        .join(' · ');
    case 'rule':
      return `${observed.metric} = ${observed.value === null ? '—' : observed.value.toFixed(3)} ${observed.op} ${observed.threshold}`;
    case 'budget':
      return `spent $${observed.spentUsd.toFixed(2)}, forecast $${observed.forecastUsd.toFixed(2)} of $${observed.monthlyUsd}`;
    case 'budget_burn':
      return observed.windows
        .map(
          (w) =>
            `${Math.round(w.long / 60_000)}m/${Math.round(w.short / 60_000)}m ${w.longBurn?.toFixed(1) ?? '—'}×/${w.shortBurn?.toFixed(1) ?? '—'}× of even spend vs ${w.threshold}×`,
        )
        .join(' · ');
    case 'error':
      return `error: ${observed.error}`;
  }
}

interface Definitions {
  slos?: { name: string; objective: number; sli: Record<string, unknown>; selector: Record<string, string[]> }[];
  rules?: { name: string; metric: string; op: string; threshold: number; for: number; severity: string }[];
  budgets?: { name: string; tenant?: string; monthlyUsd: number }[];
  routes?: { channel: string; name: string; urlEnv: string; severities: string[]; sendResolved: boolean }[];
}

export default async function AlertsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_health');
  const view = await resolveView(params, caller);
  const [instances, history, definitions] = await Promise.all([
    readAlerts(pool(), caller, { projectId: view.projectId }),
    readAlertHistory(pool(), caller, { projectId: view.projectId, limit: 100 }),
    callVigilApi(`/api/v1/alerts/config?project=${encodeURIComponent(view.projectName)}`),
  ]);
  const defs = (definitions.ok ? definitions.body : {}) as Definitions;
  const query = viewQuery(view, { notice: null });
  const canChange = !view.tenantScoped && callerCan(caller, 'operate');
  const input = 'rounded-tremor-small border border-tremor-border px-2 py-1 text-tremor-default';
  return (
    <>
      <ViewBar view={view} path="/alerts" />
      <Notice text={params.notice} />
      <div className="grid grid-cols-1 gap-4">
        <Card>
          <Text className="mb-2 font-medium text-tremor-content-strong">Alert instances</Text>
          <DataTable
            id="alert-instances"
            empty="No alerts defined: add SLOs, rules or budgets to vigil.config.yaml."
            columns={['state', 'alert', 'kind', 'severity', 'since', 'last evaluated', 'what the engine saw']}
            rows={instances.map((a) => [
              <StatusBadge key="s" color={COLOR[a.state]}>
                {a.state}
              </StatusBadge>,
              a.name,
              a.kind,
              a.severity,
              shortTime(a.firedAt ?? a.since),
              shortTime(a.evaluatedAt),
              describe(a.observed),
            ])}
          />
        </Card>
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Timeline</Text>
            <DataTable
              id="alert-timeline"
              empty="No state changes yet."
              columns={['at', 'alert', 'severity', 'change']}
              rows={history.events.map((e) => [shortTime(e.at), e.name, e.severity, `${e.from} → ${e.to}`])}
            />
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Definitions</Text>
            {definitions.ok ? (
              <DataTable
                id="alert-definitions"
                empty="No SLOs, rules, budgets or notification routes for this project in vigil.config.yaml."
                columns={['kind', 'name', 'what']}
                rows={[
                  ...(defs.slos ?? []).map((d) => [
                    'SLO',
                    d.name,
                    `${String(d.sli.kind)}${d.sli.thresholdMs ? ` ≤ ${d.sli.thresholdMs} ms` : ''}${d.sli.maxUsd ? ` ≤ $${d.sli.maxUsd}` : ''} for ${d.objective}% ${Object.entries(
                      d.selector,
                    )
                      .map(([k, v]) => `${k}=${v.join('|')}`)
                      .join(' ')}`,
                  ]),
                  ...(defs.rules ?? []).map((d) => [
                    'rule',
                    d.name,
                    `${d.metric} ${d.op} ${d.threshold}${d.for ? ` for ${Math.round(d.for / 60_000)}m` : ''} (${d.severity})`,
                  ]),
                  ...(defs.budgets ?? []).map((d) => [
                    'budget',
                    d.name,
                    `${d.tenant ? `tenant ${d.tenant}` : 'project'}: $${d.monthlyUsd}/month`,
                  ]),
                  ...(defs.routes ?? []).map((d) => [
                    'route',
                    d.name,
                    `${d.severities.join(', ')} → ${d.channel} (URL in ${d.urlEnv})${d.sendResolved ? ', resolutions too' : ''}`,
                  ]),
                ]}
              />
            ) : (
              <Text>Definitions unavailable: {apiErrorText(definitions)}</Text>
            )}
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Silences</Text>
            {canChange ? (
              <form action={createSilence} className="mb-3 flex flex-wrap items-end gap-2" data-testid="silence-form">
                <ViewFormFields query={query} project={view.projectName} />
                <input
                  name="matchers"
                  required
                  placeholder="slo=chat-errors, severity=ticket"
                  className={`${input} w-64`}
                />
                <select name="minutes" defaultValue="60" className={input}>
                  <option value="30">30 min</option>
                  <option value="60">1 h</option>
                  <option value="240">4 h</option>
                  <option value="1440">1 day</option>
                </select>
                <input name="comment" placeholder="why" className={`${input} w-40`} />
                <button
                  type="submit"
                  className="rounded-tremor-small bg-tremor-brand px-3 py-1 text-tremor-brand-inverted"
                >
                  Silence
                </button>
              </form>
            ) : null}
            <DataTable
              id="silences"
              empty="No silences."
              columns={['matchers', 'from', 'until', 'comment', '']}
              rows={history.silences.map((s) => [
                Object.entries(s.matchers)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', '),
                shortTime(s.startsAt),
                shortTime(s.endsAt),
                s.comment ?? '',
                s.active ? (
                  canChange ? (
                    <form key="e" action={expireSilence}>
                      <ViewFormFields query={query} project={view.projectName} />
                      <input type="hidden" name="id" value={s.id} />
                      <button type="submit" className="text-tremor-brand">
                        expire now
                      </button>
                    </form>
                  ) : (
                    <StatusBadge key="a" color="amber">
                      active
                    </StatusBadge>
                  )
                ) : (
                  'expired'
                ),
              ])}
            />
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Notifications</Text>
            <DataTable
              id="notifications"
              empty="Nothing sent yet."
              columns={['at', 'kind', 'severity', 'to', 'message', 'status', 'tries', 'last error']}
              rows={history.notifications.map((n) => [
                shortTime(n.at),
                n.kind,
                n.severity,
                `${n.channel} (${n.target})`,
                n.text ?? '',
                <StatusBadge key="s" color={COLOR[n.status === 'pending' ? 'pending_delivery' : n.status]}>
                  {n.status}
                </StatusBadge>,
                n.attempts,
                n.lastError ?? '',
              ])}
            />
          </Card>
          <Card>
            <Text className="mb-2 font-medium text-tremor-content-strong">Rollback hook calls</Text>
            <DataTable
              id="hook-calls"
              empty="No rollbacks."
              columns={['at', 'deployment', 'hook', 'try', 'status', 'took', 'error']}
              rows={history.hookCalls.map((h) => [
                shortTime(h.at),
                h.deployment,
                h.hook,
                h.attempt,
                h.statusCode ?? '—',
                `${Math.round(h.durationMs)} ms`,
                h.ok ? (
                  <StatusBadge key="ok" color="emerald">
                    ok
                  </StatusBadge>
                ) : (
                  (h.error ?? 'failed')
                ),
              ])}
            />
          </Card>
        </div>
      </div>
    </>
  );
}

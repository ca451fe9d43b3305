// Deployments: is the canary good? Each canary against its baseline, metric by metric, with the
// judge's score and verdict, its history, a stepped rollout's steps, and the rollback record.

import { Card, Text } from '@tremor/react';
import { Notice } from '../../components/notice.tsx';
import { RolloutSteps } from '../../components/rollout-steps.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import Link from 'next/link';
import { SeriesChart } from '../../components/charts.tsx';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { readAlertHistory, readDeployments } from '@vigil/alerts';
import { readEvaluationSummary, readMetrics, callerCan } from '@vigil/core';
import { pool } from '../../lib/db.ts';
import { formatMs, formatPercent, formatUnitUsd } from '../../lib/format.ts';
import { timeLabel } from '../../lib/series.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView, viewHref, viewQuery } from '../../lib/view.ts';
import { deploymentAction } from './actions.ts';
import { ViewFormFields } from '../../components/view-form-fields.tsx';

export const dynamic = 'force-dynamic';

const VERDICT_COLOR: Record<string, string> = { pass: 'emerald', fail: 'rose', inconclusive: 'amber', error: 'gray' };

interface JudgedMetric {
  metric: string;
  classification: string;
  canary: { n: number; p95: number | null; mean: number | null };
  baseline: { n: number; p95: number | null; mean: number | null };
  pValue: number | null;
  reason: string;
}

/** Errors and evaluation scores are compared by their means, the others by their p95s. */
const byMean = (metric: string) => metric === 'errors' || metric.startsWith('eval:');

const show = (metric: string, v: number | null) =>
  metric === 'errors'
    ? formatPercent(v, 2)
    : metric === 'cost_per_request'
      ? formatUnitUsd(v)
      : metric.startsWith('eval:')
        ? (v?.toFixed(3) ?? '—')
        : formatMs(v);

export default async function DeploymentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_health');
  const view = await resolveView(params, caller);
  const [deployments, history] = await Promise.all([
    readDeployments(pool(), caller, { projectId: view.projectId, limit: 50 }),
    readAlertHistory(pool(), caller, { projectId: view.projectId, limit: 200 }),
  ]);
  const wanted = typeof params.canary === 'string' ? params.canary : undefined;
  const selected =
    deployments.find((d) => d.name === wanted) ?? deployments.find((d) => d.baseline !== null) ?? deployments[0];
  const pair = selected?.baseline ? [selected.name, selected.baseline] : selected ? [selected.name] : [];
  const series = pair.length
    ? await readMetrics(pool(), caller, {
        projectId: view.projectId,
        window: { from: view.from, to: view.to },
        filters: { ...view.filters, category: ['model'], deployment: pair },
        groupBy: ['deployment'],
        stepMs: view.stepMs,
        quantiles: [0.95],
        quantilesOf: ['latency'],
      })
    : [];
  const rows = new Map<string, Record<string, string | number | null>>();
  for (const p of series) {
    const time = timeLabel(p.bucket ?? '', view.stepMs);
    const row = rows.get(time) ?? { time };
    row[`${p.group.deployment} p95`] = p.latencyMs.quantiles.p95 ?? null;
    rows.set(time, row);
  }
  const evaluations = pair.length
    ? await readEvaluationSummary(pool(), caller, {
        projectId: view.projectId,
        window: { from: view.from, to: view.to },
        deployments: pair,
      })
    : [];
  const evaluationNames = [...new Set(evaluations.map((e) => e.name))];
  const evaluationOf = (name: string, deployment: string | undefined) =>
    evaluations.find((e) => e.name === name && e.deployment === deployment);
  const scoreCell = (name: string, deployment: string | undefined) => {
    const e = evaluationOf(name, deployment);
    if (!e) return '—';
    return e.meanScore === null ? `${e.results} labels` : `${e.meanScore.toFixed(3)} (${e.scored})`;
  };
  const metrics = (selected?.judgement?.metrics ?? []) as unknown as JudgedMetric[];
  const judgements = history.judgements.filter((j) => j.deployment === selected?.name).slice(0, 20);

  return (
    <>
      <ViewBar view={view} path="/deployments" />
      <Notice text={params.notice} />
      <Card className="mb-4">
        <Text className="mb-2 font-medium text-tremor-content-strong">Deployments</Text>
        <DataTable
          id="deployment-list"
          empty="No deployments recorded. Record one: npx vigil deploy start --deployment v42 --baseline v41"
          columns={['deployment', 'baseline', 'weight', 'state', 'verdict', 'score', 'judged', 'rollback']}
          rows={deployments.map((d) => [
            <Link key="n" href={viewHref(view, '/deployments', { canary: d.name })} className="text-tremor-brand">
              {d.name}
            </Link>,
            d.baseline ?? '—',
            d.weight === null
              ? '—'
              : d.rollout?.step != null && d.state === 'running'
                ? `${d.weight}% (step ${d.rollout.step + 1}/${d.rollout.steps.length})`
                : `${d.weight}%`,
            d.state.replace('_', ' '),
            d.verdict ? (
              <StatusBadge key="v" color={VERDICT_COLOR[d.verdict]}>
                {d.verdict}
              </StatusBadge>
            ) : (
              '—'
            ),
            d.score ?? '—',
            shortTime(d.judgedAt),
            d.rollback ? `${d.rollback.status} (${d.rollback.trigger})` : '—',
          ])}
        />
      </Card>
      {selected ? (
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-2" data-testid="deployment-detail">
          <Card>
            <div className="flex items-center justify-between">
              <Text className="font-medium text-tremor-content-strong">
                {selected.name} {selected.baseline ? `vs ${selected.baseline}` : ''}
              </Text>
              {selected.verdict ? (
                <StatusBadge
                  color={VERDICT_COLOR[selected.verdict]}
                >{`${selected.verdict}${selected.score !== null ? ` · ${selected.score}` : ''}`}</StatusBadge>
              ) : null}
            </div>
            <Text className="mt-1">{selected.judgement?.reason ?? 'Not judged yet.'}</Text>
            {selected.rollout ? <RolloutSteps deployment={{ ...selected, rollout: selected.rollout }} /> : null}
            <div className="mt-3">
              <DataTable
                id="judged-metrics"
                empty="No metric judged yet."
                columns={['metric', 'canary', 'baseline', 'samples', 'p-value', 'result']}
                rows={metrics.map((m) => [
                  m.metric,
                  show(m.metric, byMean(m.metric) ? m.canary.mean : m.canary.p95),
                  show(m.metric, byMean(m.metric) ? m.baseline.mean : m.baseline.p95),
                  `${m.canary.n} / ${m.baseline.n}`,
                  m.pValue === null ? '—' : m.pValue < 0.0001 ? '<0.0001' : m.pValue.toFixed(4),
                  m.classification,
                ])}
              />
            </div>
            {callerCan(caller, 'operate') && !view.tenantScoped && selected.state === 'running' ? (
              <form action={deploymentAction} className="mt-3 flex gap-2" data-testid="deployment-actions">
                <ViewFormFields query={viewQuery(view, { notice: null })} project={view.projectName} />
                <input type="hidden" name="deployment" value={selected.name} />
                <button
                  type="submit"
                  name="action"
                  value="promote"
                  className="rounded-tremor-small bg-emerald-700 px-3 py-1 text-white"
                >
                  Promote
                </button>
                <button
                  type="submit"
                  name="action"
                  value="rollback"
                  className="rounded-tremor-small bg-rose-700 px-3 py-1 text-white"
                >
                  Roll back
                </button>
              </form>
            ) : null}
            {selected.rollback ? (
              <p className="mt-3 text-tremor-default text-tremor-content" data-testid="rollback-record">
                Rolled back {shortTime(selected.rollback.at)} by {selected.rollback.trigger}: {selected.rollback.reason}{' '}
                ({selected.rollback.status})
              </p>
            ) : null}
          </Card>
          <Card>
            <Text>p95 latency, canary and baseline</Text>
            <SeriesChart
              id="canary-latency"
              unit="ms"
              data={[...rows.values()] as never}
              categories={pair.map((d) => `${d} p95`)}
              colors={['rose', 'blue']}
            />
          </Card>
          <Card className="xl:col-span-2">
            <Text className="mb-2 font-medium text-tremor-content-strong">Evaluations</Text>
            <DataTable
              id="evaluation-scores"
              empty="No evaluation results in this window (gen_ai.evaluation.result events on the spans)."
              columns={['evaluation', `${pair[0] ?? 'canary'} mean (n)`, `${pair[1] ?? 'baseline'} mean (n)`]}
              rows={evaluationNames.map((name) => [name, scoreCell(name, pair[0]), scoreCell(name, pair[1])])}
            />
          </Card>
          <Card className="xl:col-span-2">
            <Text className="mb-2 font-medium text-tremor-content-strong">Judgements</Text>
            <DataTable
              id="judgement-history"
              empty="No judgements yet."
              columns={['at', 'verdict', 'score', 'reason']}
              rows={judgements.map((j) => [shortTime(j.at), j.verdict, j.score ?? '—', j.reason])}
            />
          </Card>
        </div>
      ) : null}
    </>
  );
}

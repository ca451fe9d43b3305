// Cost: what each tenant costs, who is near their budget, and which models the money goes to.
// The spend chart comes first; the tables stream in behind it as their queries finish.

import { Card, Text } from '@tremor/react';
import Link from 'next/link';
import { Suspense } from 'react';
import { type Caller, readCacheSavings, readMetrics, readTopSessions, readUserModelCost } from '@vigil/core';
import { SeriesChart } from '../../components/charts.tsx';
import { CostTrust, CoverageBadge, pageCoverage } from '../../components/cost-trust.tsx';
import { SessionTable } from '../../components/session-table.tsx';
import { DataTable } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { sessionsIgnoreFilters, TENANT_COLUMNS, tenantCells, tenantCosts } from '../../lib/cost.ts';
import { pool } from '../../lib/db.ts';
import { formatCount, formatPercent, formatUsd } from '../../lib/format.ts';
import { timeLabel } from '../../lib/series.ts';
import { requireCapability } from '../../lib/session.ts';
import { type View, resolveView, viewHref } from '../../lib/view.ts';
import { Skeleton } from '../../components/skeleton.tsx';

export const dynamic = 'force-dynamic';

async function SessionsAndTokens({ caller, view }: { caller: Caller; view: View }) {
  const window = { from: view.from, to: view.to };
  const [totals, sessions] = await Promise.all([
    readMetrics(pool(), caller, {
      projectId: view.projectId,
      window,
      filters: { ...view.filters, category: ['model'] },
      quantiles: [],
    }),
    readTopSessions(pool(), caller, {
      projectId: view.projectId,
      window,
      ...(view.selected.tenant ? { tenantId: view.selected.tenant } : {}),
      limit: 10,
    }),
  ]);
  const tokens = totals[0]?.tokens;
  const tokenMix: [string, number][] = tokens
    ? [
        ['input, not cached', tokens.input - tokens.cacheRead - tokens.cacheWrite],
        ['input, cache reads', tokens.cacheRead],
        ['input, cache writes', tokens.cacheWrite],
        ['output', tokens.output - tokens.reasoning],
        ['output, reasoning', tokens.reasoning],
      ]
    : [];
  const tokenTotal = tokenMix.reduce((sum, [, n]) => sum + n, 0);
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
      <Card>
        <Text className="mb-2 font-medium text-tremor-content-strong">Costliest sessions</Text>
        <SessionTable id="cost-top-sessions" view={view} sessions={sessions} empty="No sessions in this range." />
      </Card>
      <Card>
        <Text className="mb-2 font-medium text-tremor-content-strong">Token mix</Text>
        <DataTable
          id="token-mix"
          empty="No tokens in this range."
          columns={['tokens', 'count', 'share']}
          rows={
            tokenTotal > 0 ? tokenMix.map(([label, n]) => [label, formatCount(n), formatPercent(n / tokenTotal)]) : []
          }
        />
      </Card>
    </div>
  );
}

/**
 * Who spends on which model: developers of an agent fleet (filter the service, e.g. claude-code),
 * or an app's end users. From the model calls themselves, so it needs no sessions.
 */
/**
 * The per-user table reads model calls themselves (rollups do not key by user): 144 ms for a day of
 * the 10M-span bench dataset, 0.6 s for a week, 2.6 s for 30 days. Past a week, it shows the
 * range's last week, and says so.
 */
const USER_TABLE_MAX_MS = 7 * 86_400_000;

async function UserModelTable({ caller, view }: { caller: Caller; view: View }) {
  const from = new Date(Math.max(view.from.getTime(), view.to.getTime() - USER_TABLE_MAX_MS));
  const shortened = from.getTime() > view.from.getTime();
  const rows = await readUserModelCost(pool(), caller, {
    projectId: view.projectId,
    window: { from, to: view.to },
    filters: view.filters,
    limit: 25,
  });
  return (
    <Card className="mb-6">
      <Text className="mb-2 font-medium text-tremor-content-strong">
        <span data-testid="user-model-cost-title">
          Cost per user and model{shortened ? ', last 7 days of the range' : ''}
        </span>
      </Text>
      <DataTable
        id="user-model-cost"
        empty="No model calls in this range."
        columns={['user', 'model', 'calls', 'errors', 'input tokens', 'output tokens', 'cost']}
        rows={rows.map((r) => [
          r.userId ?? '(none)',
          r.model ?? '(unknown)',
          formatCount(r.calls),
          formatCount(r.errors),
          formatCount(r.inputTokens),
          formatCount(r.outputTokens),
          r.pricedCalls > 0 ? formatUsd(r.costUsd) : '—',
        ])}
      />
      <Text className="mt-2 text-tremor-label">
        An agent fleet is one service: filter by service (claude-code, gemini-cli) to see each developer's spend.
      </Text>
    </Card>
  );
}

/** Hit rate per surface and cache, and the model spend the hits saved (core's cacheSavings rule). */
async function CacheTable({ caller, view }: { caller: Caller; view: View }) {
  const rows = await readCacheSavings(pool(), caller, {
    projectId: view.projectId,
    window: { from: view.from, to: view.to },
    filters: view.filters,
  });
  const saved = rows.reduce((sum, r) => sum + (r.savedUsd ?? 0), 0);
  return (
    <Card className="mb-6">
      <Text className="mb-2 font-medium text-tremor-content-strong">
        <span data-testid="cache-savings-title">
          Cache hits{rows.length > 0 ? `: about ${formatUsd(saved)} of model calls saved` : ''}
        </span>
      </Text>
      <DataTable
        id="cache-savings"
        empty="No cache lookup in this range said whether it hit."
        columns={['surface', 'cache', 'lookups', 'hit rate', 'hits', 'mean model call', 'saved']}
        rows={rows.map((r) => [
          r.surface ?? '(none)',
          r.cache ?? '(unnamed)',
          formatCount(r.hits + r.misses),
          r.hitRatio === null ? '—' : formatPercent(r.hitRatio),
          formatCount(r.hits),
          r.meanModelCallUsd === null ? '—' : formatUsd(r.meanModelCallUsd),
          r.savedUsd === null ? '—' : formatUsd(r.savedUsd),
        ])}
      />
      <Text className="mt-2 text-tremor-label">
        Each hit is priced at the mean cost of the surface's priced model calls in the range: the call it likely stood
        in for. Lookups that did not say whether they hit are left out.
      </Text>
    </Card>
  );
}

async function TenantTable({ caller, view }: { caller: Caller; view: View }) {
  const rows = await tenantCosts(caller, view);
  return (
    <Card className="mb-6" data-testid="tenant-costs">
      <div className="mb-2 flex items-center justify-between">
        <Text className="font-medium text-tremor-content-strong">Cost per tenant</Text>
        <a
          href={`/cost/tenants.csv?${view.query}`}
          className="text-tremor-default text-tremor-brand"
          data-testid="tenant-costs-csv"
        >
          Export CSV
        </a>
      </div>
      {rows.length === 0 ? (
        <Text>No priced model calls in this range.</Text>
      ) : (
        <table className="w-full text-left text-tremor-default">
          <thead className="text-tremor-label text-tremor-content">
            <tr>
              {TENANT_COLUMNS.map((c) => (
                <th key={c} className="py-1">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.tenant} className="border-t border-tremor-border" data-testid={`tenant-${row.tenant}`}>
                {tenantCells(row).map((cell, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional columns of a fixed header
                  <td key={i} className="py-1 tabular-nums">
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Text className="mt-2 text-tremor-label">
        Requests are trace roots; a session's cost is its whole cost, averaged over the tenant's sessions active in this
        range.
        {sessionsIgnoreFilters(view) ? ' Sessions are counted per tenant: the other filters do not narrow them.' : ''}
      </Text>
    </Card>
  );
}

export default async function CostPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_cost');
  const view = await resolveView(params, caller);
  const stack = params.stack === 'tenant' ? 'tenant_id' : 'model';
  // Read once for the badge and the unpriced-models list, started now so it overlaps the series;
  // its failure is handled where each awaits it (the catch only keeps it from going unhandled).
  const coverage = pageCoverage(caller, view);
  coverage.catch(() => {});
  const series = await readMetrics(pool(), caller, {
    projectId: view.projectId,
    window: { from: view.from, to: view.to },
    filters: { ...view.filters, category: ['model'] },
    groupBy: [stack],
    stepMs: view.stepMs,
    quantiles: [],
  });
  const keys = [...new Set(series.map((p) => p.group[stack] ?? 'unknown'))];
  const buckets = new Map<string, Record<string, number | string>>();
  for (const p of series) {
    const time = timeLabel(p.bucket ?? '', view.stepMs);
    const row = buckets.get(time) ?? { time };
    row[p.group[stack] ?? 'unknown'] = p.costUsd;
    buckets.set(time, row);
  }
  return (
    <>
      <ViewBar view={view} path="/cost" />
      <Card className="mb-6">
        <div className="flex items-center justify-between">
          <span className="flex items-center gap-3">
            <Text>Spend by {stack === 'model' ? 'model' : 'tenant'}</Text>
            <Suspense fallback={null}>
              <CoverageBadge coverage={coverage} />
            </Suspense>
          </span>
          <span className="flex gap-2 text-tremor-default">
            {(['model', 'tenant'] as const).map((key) => (
              <Link
                key={key}
                href={viewHref(view, '/cost', { stack: key })}
                className={
                  (key === 'tenant') === (stack === 'tenant_id')
                    ? 'font-semibold text-tremor-brand'
                    : 'text-tremor-content'
                }
              >
                by {key}
              </Link>
            ))}
          </span>
        </div>
        <SeriesChart id="spend-by-model" unit="usd" stacked data={[...buckets.values()] as never} categories={keys} />
      </Card>
      {/* Finance's first question (what does each tenant cost?) comes first. */}
      <Suspense
        fallback={
          <div className="mb-6">
            <Skeleton className="h-64" />
          </div>
        }
      >
        <TenantTable caller={caller} view={view} />
      </Suspense>
      <Suspense fallback={<Skeleton className="mb-6 h-48" />}>
        <UserModelTable caller={caller} view={view} />
      </Suspense>
      <Suspense fallback={<Skeleton className="mb-6 h-32" />}>
        <CacheTable caller={caller} view={view} />
      </Suspense>
      <Suspense fallback={<Skeleton className="h-48" />}>
        <SessionsAndTokens caller={caller} view={view} />
      </Suspense>
      <Suspense fallback={<Skeleton className="mt-6 h-48" />}>
        <CostTrust caller={caller} view={view} coverage={coverage} />
      </Suspense>
    </>
  );
}

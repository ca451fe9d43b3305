// The per-tenant cost table: one function for the page and its CSV export, so they always agree.

import { type Caller, NO_TENANT, readBudgets, readMetrics, readSessionCostByTenant } from '@vigil/core';
import { pool } from './db.ts';
import { formatCount, formatPercent, formatUnitUsd, formatUsd, formatUtcMinute } from './format.ts';
import type { View } from './view.ts';

export interface TenantCostRow {
  tenant: string;
  spendUsd: number;
  /** Trace roots (a user's request); null when a model filter leaves no roots to count. */
  requests: number | null;
  costPerRequest: number | null;
  calls: number;
  sessions: number | null;
  costPerSession: number | null;
  budgetUsd: number | null;
  forecastUsd: number | null;
  budgetUsed: number | null;
  /** When the month's budget runs out at the last 24 h's rate (ISO); null when it lasts. */
  budgetRunsOut: string | null;
}

/** Filters only model spans carry: a request (the trace root) never matches them. */
const MODEL_ONLY_FILTERS = ['model'] as const;

/** Sessions are kept per tenant and session, not per service, model or deployment. */
export function sessionsIgnoreFilters(view: View): boolean {
  return Object.keys(view.filters).some((key) => key !== 'tenant_id');
}

export async function tenantCosts(caller: Caller, view: View): Promise<TenantCostRow[]> {
  const window = { from: view.from, to: view.to };
  const countsRequests = !MODEL_ONLY_FILTERS.some((key) => view.filters[key]?.length);
  const tenant = view.filters.tenant_id?.length === 1 ? view.filters.tenant_id[0] : undefined;
  // One breakdown over all spans: cost and model calls come from the model spans in it, requests
  // from its trace roots.
  const [points, sessions, budgets] = await Promise.all([
    readMetrics(pool(), caller, {
      projectId: view.projectId,
      window,
      filters: view.filters,
      groupBy: ['tenant_id'],
      quantiles: [],
      orderBy: 'cost',
    }),
    readSessionCostByTenant(pool(), caller, { projectId: view.projectId, window, tenantId: tenant, limit: 1000 }),
    readBudgets(pool(), caller, { projectId: view.projectId }),
  ]);
  const sessionsOf = new Map(sessions.map((s) => [s.tenantId, s]));
  const budgetOf = new Map(budgets.budgets.map((b) => [b.tenantId, b]));
  return points
    .filter((p) => p.modelCalls > 0)
    .map((p) => {
      const tenant = p.group.tenant_id ?? NO_TENANT;
      const budget = budgetOf.get(tenant);
      const requests = countsRequests ? p.requests : null;
      const session = sessionsOf.get(tenant);
      return {
        tenant,
        spendUsd: p.costUsd,
        requests,
        costPerRequest: requests ? p.costUsd / requests : null,
        calls: p.modelCalls,
        sessions: session?.sessions ?? null,
        costPerSession: session?.costPerSession ?? null,
        budgetUsd: budget?.monthlyUsd ?? null,
        forecastUsd: budget?.forecastUsd ?? null,
        budgetUsed: budget?.spentFraction ?? null,
        budgetRunsOut: budget?.exhaustsAt ?? null,
      };
    });
}

export const TENANT_COLUMNS = [
  'tenant',
  'spend',
  'requests',
  'cost per request',
  'model calls',
  'sessions',
  'cost per session',
  'monthly budget',
  'month forecast',
  'budget used',
  'budget runs out',
];

export function tenantCells(row: TenantCostRow): string[] {
  return [
    row.tenant,
    formatUsd(row.spendUsd),
    formatCount(row.requests),
    formatUnitUsd(row.costPerRequest),
    formatCount(row.calls),
    formatCount(row.sessions),
    formatUnitUsd(row.costPerSession),
    formatUsd(row.budgetUsd),
    formatUsd(row.forecastUsd),
    formatPercent(row.budgetUsed, 0),
    row.budgetRunsOut ? `${formatUtcMinute(row.budgetRunsOut)} UTC` : '—',
  ];
}

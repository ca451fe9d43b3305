// The per-tenant cost table: one function for the page and its CSV export, so they always agree.

import type { Caller } from '@vigil/core/query/caller';
import { queryApi } from './db.ts';
import { formatCount, formatPercent, formatUsd } from './format.ts';
import type { View } from './view.ts';

export interface TenantCostRow {
  tenant: string;
  spendUsd: number;
  calls: number;
  costPerCall: number | null;
  budgetUsd: number | null;
  forecastUsd: number | null;
  budgetUsed: number | null;
}

export async function tenantCosts(caller: Caller, view: View): Promise<TenantCostRow[]> {
  const api = queryApi();
  const [points, budgets] = await Promise.all([
    api.metrics(caller, { projectId: view.projectId, window: { from: view.from, to: view.to }, filters: { ...view.filters, category: ['model'] }, groupBy: ['tenant_id'], quantiles: [], orderBy: 'cost' }),
    api.budgets(caller, { projectId: view.projectId }),
  ]);
  const budgetOf = new Map(budgets.budgets.map((b) => [b.tenantId, b]));
  return points.map((p) => {
    const tenant = p.group.tenant_id ?? 'unknown';
    const budget = budgetOf.get(tenant);
    return {
      tenant,
      spendUsd: p.costUsd,
      calls: p.spans,
      costPerCall: p.spans > 0 ? p.costUsd / p.spans : null,
      budgetUsd: budget?.monthlyUsd ?? null,
      forecastUsd: budget?.forecastUsd ?? null,
      budgetUsed: budget?.spentFraction ?? null,
    };
  });
}

export const TENANT_COLUMNS = ['tenant', 'spend', 'model calls', 'cost per call', 'monthly budget', 'month forecast', 'budget used'];

export function tenantCells(row: TenantCostRow): string[] {
  return [row.tenant, formatUsd(row.spendUsd), formatCount(row.calls), formatUsd(row.costPerCall), formatUsd(row.budgetUsd), formatUsd(row.forecastUsd), formatPercent(row.budgetUsed, 0)];
}

// Config budgets as rows of `budgets`, which the query API and the dashboard read: one place
// declares a budget, and alerts and the cost table show the same figure.

import { ALL_TENANTS } from '@vigil/core';
import type pg from 'pg';
import type { AlertsConfig } from '../config/schema.ts';

export async function syncBudgets(
  client: pg.ClientBase,
  config: AlertsConfig,
  projects: Map<string, string>,
): Promise<void> {
  // One row per project and tenant: the first budget the config names for it.
  const wanted = new Map<string, { projectId: string; tenantId: string; monthlyUsd: number }>();
  for (const budget of config.budgets) {
    const projectId = projects.get(budget.project);
    if (!projectId) continue;
    const tenantId = budget.tenant ?? ALL_TENANTS;
    const key = `${projectId}\u0001${tenantId}`;
    if (!wanted.has(key)) wanted.set(key, { projectId, tenantId, monthlyUsd: budget.monthlyUsd });
  }
  const rows = [...wanted.values()];
  await client.query(
    `with wanted as (select * from unnest($1::uuid[], $2::text[], $3::numeric[]) as w(project_id, tenant_id, monthly_usd)),
     written as (
       insert into budgets (project_id, tenant_id, monthly_usd, source)
       select project_id, tenant_id, monthly_usd, 'config' from wanted
       on conflict (project_id, tenant_id) do update set monthly_usd = excluded.monthly_usd, source = 'config', updated_at = now()
         where budgets.monthly_usd <> excluded.monthly_usd or budgets.source <> 'config'
       returning 1)
     delete from budgets b
      where b.source = 'config' and not exists (select 1 from wanted w where w.project_id = b.project_id and w.tenant_id = b.tenant_id)`,
    [rows.map((r) => r.projectId), rows.map((r) => r.tenantId), rows.map((r) => r.monthlyUsd)],
  );
}

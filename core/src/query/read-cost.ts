// Whether the cost numbers can be trusted: how many model calls were priced (and which models were
// not, and why), and how Vigil's own prices compare with the costs the emitting libraries reported.

import type pg from 'pg';
import { type Caller, withCaller } from './caller.ts';
import { readMetrics } from './read-metrics.ts';
import {
  type CostCoverageQuery,
  costCoverageQuerySchema,
  type ReportedCostQuery,
  reportedCostQuerySchema,
} from './schemas.ts';

export interface UnpricedModel {
  provider: string | null;
  model: string | null;
  /** Model calls in the window, and those of them without a cost. */
  calls: number;
  unpricedCalls: number;
  /**
   * no_model: the calls name no model; no_price: neither the catalog nor the project's own prices
   * know the model (the collector listed it in unpriced_models); no_usage: otherwise, the calls
   * reported no token counts, so there was nothing to price.
   */
  reason: 'no_model' | 'no_price' | 'no_usage';
  /** When the collector first met the model without a price (null for no_usage). */
  firstSeen: string | null;
}

export interface CostCoverage {
  modelCalls: number;
  pricedCalls: number;
  /** pricedCalls / modelCalls; null without model calls. */
  coverage: number | null;
  /** Models with unpriced calls in the window, most unpriced calls first. */
  unpricedModels: UnpricedModel[];
}

export async function readCostCoverage(pool: pg.Pool, caller: Caller, input: CostCoverageQuery): Promise<CostCoverage> {
  const q = costCoverageQuerySchema.parse(input);
  const [points, seen] = await Promise.all([
    readMetrics(pool, caller, {
      projectId: q.projectId,
      window: q.window,
      filters: { ...q.filters, category: ['model'] },
      groupBy: ['provider', 'model'],
      quantiles: [],
    }),
    withCaller(pool, caller, async (client) => {
      const { rows } = await client.query<{ provider: string; model: string; first_seen: Date }>(
        'select provider, model, first_seen from unpriced_models where project_id = $1',
        [q.projectId],
      );
      return new Map(rows.map((r) => [`${r.provider}\u0000${r.model}`, r.first_seen]));
    }),
  ]);
  let modelCalls = 0;
  let pricedCalls = 0;
  const unpricedModels: UnpricedModel[] = [];
  for (const point of points) {
    modelCalls += point.modelCalls;
    pricedCalls += point.pricedCalls;
    const unpricedCalls = point.modelCalls - point.pricedCalls;
    if (unpricedCalls <= 0) continue;
    const provider = point.group.provider ?? null;
    const model = point.group.model ?? null;
    const firstSeen = seen.get(`${provider ?? ''}\u0000${model ?? ''}`) ?? null;
    unpricedModels.push({
      provider,
      model,
      calls: point.modelCalls,
      unpricedCalls,
      reason: model === null ? 'no_model' : firstSeen ? 'no_price' : 'no_usage',
      firstSeen: firstSeen?.toISOString() ?? null,
    });
  }
  unpricedModels.sort((a, b) => b.unpricedCalls - a.unpricedCalls);
  return { modelCalls, pricedCalls, coverage: modelCalls > 0 ? pricedCalls / modelCalls : null, unpricedModels };
}

export interface ReportedCost {
  provider: string | null;
  model: string | null;
  /** Calls that Vigil priced itself and whose library reported a cost too. */
  calls: number;
  reportedUsd: number;
  computedUsd: number;
  /** reported − computed. */
  differenceUsd: number;
  /** The difference as a share of Vigil's own cost; null when that is 0. */
  differenceRatio: number | null;
}

/** Per model, the cost the emitting library reported next to Vigil's own, largest difference first. */
export async function readReportedCost(
  pool: pg.Pool,
  caller: Caller,
  input: ReportedCostQuery,
): Promise<ReportedCost[]> {
  const q = reportedCostQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const params: unknown[] = [q.projectId, q.window.from, q.window.to, q.limit];
    const tenant = q.tenantId === undefined ? '' : ` and tenant_id = $${params.push(q.tenantId)}`;
    const { rows } = await client.query<{
      provider: string;
      model: string;
      calls: number;
      reported_usd: number;
      computed_usd: number;
    }>(
      `select coalesce(provider, '') as provider, coalesce(model, '') as model, count(*)::float8 as calls,
              sum(reported_cost_usd)::float8 as reported_usd, sum(cost_usd)::float8 as computed_usd
         from model_call_costs
        where project_id = $1 and start_time >= $2 and start_time < $3${tenant}
          and reported_cost_usd is not null and cost_usd is not null and cost_source in ('catalog', 'override')
        group by 1, 2
        order by abs(sum(reported_cost_usd) - sum(cost_usd)) desc, 1, 2
        limit $4`,
      params,
    );
    return rows.map((r) => ({
      provider: r.provider === '' ? null : r.provider,
      model: r.model === '' ? null : r.model,
      calls: r.calls,
      reportedUsd: r.reported_usd,
      computedUsd: r.computed_usd,
      differenceUsd: r.reported_usd - r.computed_usd,
      differenceRatio: r.computed_usd !== 0 ? (r.reported_usd - r.computed_usd) / r.computed_usd : null,
    }));
  });
}

// Whether the Cost page's numbers can be trusted: the share of calls priced (a badge linking to the
// unpriced models, with why and since when), and the libraries' own costs next to Vigil's.

import { Card, Text } from '@tremor/react';
import { type Caller, type CostCoverage, readCostCoverage, readReportedCost } from '@vigil/core';
import { pool } from '../lib/db.ts';
import { formatCount, formatPercent, formatUsd, formatUtcMinute } from '../lib/format.ts';
import type { View } from '../lib/view.ts';
import { StatusBadge } from './status-badge.tsx';
import { DataTable } from './table.tsx';

const REASONS = {
  no_model: 'no model named',
  no_price: 'no price known',
  no_usage: 'no token counts reported',
} as const;

/** The page's coverage, read once and shared by the badge and the list (each awaits it). */
export function pageCoverage(caller: Caller, view: View): Promise<CostCoverage> {
  return readCostCoverage(pool(), caller, {
    projectId: view.projectId,
    window: { from: view.from, to: view.to },
    filters: view.filters,
  });
}

export async function CoverageBadge({ coverage: pending }: { coverage: Promise<CostCoverage> }) {
  const coverage = await pending;
  if (coverage.coverage === null) return null;
  const unknown = coverage.unpricedModels.filter((m) => m.reason === 'no_price').length;
  const text = `${formatPercent(coverage.coverage)} of calls priced${unknown > 0 ? ` · ${unknown} ${unknown === 1 ? 'model' : 'models'} unknown` : ''}`;
  return (
    <a href="#unpriced-models" data-testid="cost-coverage">
      <StatusBadge color={coverage.coverage >= 0.99 ? 'emerald' : coverage.coverage >= 0.9 ? 'amber' : 'rose'}>
        {text}
      </StatusBadge>
    </a>
  );
}

export async function CostTrust({
  caller,
  view,
  coverage: pending,
}: {
  caller: Caller;
  view: View;
  coverage: Promise<CostCoverage>;
}) {
  const window = { from: view.from, to: view.to };
  const tenant = view.filters.tenant_id?.length === 1 ? view.filters.tenant_id[0] : undefined;
  const [coverage, reported] = await Promise.all([
    pending,
    readReportedCost(pool(), caller, { projectId: view.projectId, window, ...(tenant ? { tenantId: tenant } : {}) }),
  ]);
  return (
    <div className="mt-6 grid grid-cols-1 gap-4 xl:grid-cols-2">
      <Card id="unpriced-models">
        <Text className="mb-2 font-medium text-tremor-content-strong">Unpriced model calls</Text>
        <DataTable
          id="unpriced-models-table"
          empty="Every model call in this range has a cost."
          columns={['model', 'provider', 'unpriced calls', 'of calls', 'why', 'first seen']}
          rows={coverage.unpricedModels.map((m) => [
            m.model ?? '—',
            m.provider ?? '—',
            formatCount(m.unpricedCalls),
            formatCount(m.calls),
            REASONS[m.reason],
            m.firstSeen ? formatUtcMinute(m.firstSeen) : '—',
          ])}
        />
        <Text className="mt-2 text-tremor-label">
          Their cost is unknown, not zero: it is left out of spend and of cost SLOs. Add the model's price to the
          project (model_price_overrides), then run vigil reprice over the days it was used.
        </Text>
      </Card>
      <Card>
        <Text className="mb-2 font-medium text-tremor-content-strong">
          Reported by the library vs computed by Vigil
        </Text>
        <DataTable
          id="reported-cost-table"
          empty="No calls in this range carry a cost of their own library's."
          columns={['model', 'calls', 'reported', 'Vigil', 'difference']}
          rows={reported.map((r) => [
            r.model ?? '—',
            formatCount(r.calls),
            formatUsd(r.reportedUsd),
            formatUsd(r.computedUsd),
            `${formatUsd(r.differenceUsd)} (${formatPercent(r.differenceRatio)})`,
          ])}
        />
      </Card>
    </div>
  );
}

// A monthly budget's alert instances: the forecast passing its share (ticket), the spend passing
// its share (page), and burn rates on spend over the SLO windows (fast burn pages, slow burn tickets).

import {
  ALL_TENANTS,
  budgetBurnRate,
  exhaustionOf,
  monthSpend,
  readMetrics,
  type Spend,
  spendOf,
  utcMonthMs,
} from '@vigil/core';
import type pg from 'pg';
import type { BudgetConfig, Severity } from '../config/schema.ts';
import { WORKBOOK_WINDOWS } from '../slo/burn-rate.ts';
import type { Filters } from '../slo/selector.ts';
import type { Timing } from '../state/machine.ts';
import {
  type AlertDefinition,
  DEFINITION_CALLER as caller,
  type Evaluation,
  fingerprint,
  windowEnding as window,
} from './alert-definition.ts';
import type { BudgetBurnObservation, BudgetBurnWindow, BudgetObservation } from './observations.ts';

export function budgetDefinitions(budget: BudgetConfig, projectId: string, timing: Timing): AlertDefinition[] {
  const tenantId = budget.tenant ?? ALL_TENANTS;
  const labelsOf = (severity: Severity, measure: 'spent' | 'forecast' | 'burn') => ({
    alertname: budget.name,
    project: budget.project,
    budget: budget.name,
    severity,
    measure,
    ...(budget.tenant ? { tenant: budget.tenant } : {}),
    ...budget.labels,
  });
  /** What every budget alert shares: identity, labels, timing; the measure names the instance. */
  const base = (severity: Severity, measure: 'spent' | 'forecast' | 'burn') => {
    const labels = labelsOf(severity, measure);
    return {
      fingerprint: fingerprint(labels),
      projectId,
      projectName: budget.project,
      tenantId,
      name: budget.name,
      kind: 'budget' as const,
      severity,
      labels,
      timing: { ...timing, forMs: 0, keepFiringForMs: 0 },
      deployment: null,
    };
  };
  const make = (severity: Severity, measure: 'spent' | 'forecast', at: number): AlertDefinition => {
    return {
      ...base(severity, measure),
      summary: `${budget.name}: ${budget.tenant ? `tenant ${budget.tenant}` : 'project'} ${measure} ≥ ${Math.round(at * 100)}% of $${budget.monthlyUsd}/month`,
      async evaluate(pool: pg.Pool, now: number): Promise<Evaluation> {
        const month = await monthSpend(pool, caller, projectId, new Date(now));
        const spend: Spend = spendOf(month, tenantId);
        const exhaustsAt = exhaustionOf(spend, budget.monthlyUsd, month);
        const value = measure === 'spent' ? spend.spentUsd : spend.forecastUsd;
        const observed: BudgetObservation = {
          kind: 'budget',
          spentUsd: spend.spentUsd,
          forecastUsd: spend.forecastUsd,
          monthlyUsd: budget.monthlyUsd,
          measure,
          fraction: value / budget.monthlyUsd,
          threshold: at,
          exhaustsAt: exhaustsAt === null ? null : new Date(exhaustsAt).toISOString(),
        };
        return { observation: value / budget.monthlyUsd >= at ? 'true' : 'false', observed };
      },
    };
  };
  // Burn: the SLO windows for a 30-day period (a month), on spend instead of errors. Fast burn
  // (2% of the month's budget in an hour, 5% in six) pages; slow burn (10% in a day or three) tickets.
  const burn = (severity: Severity): AlertDefinition => {
    const pairs = WORKBOOK_WINDOWS.filter((w) => w.severity === severity);
    const filters: Filters = budget.tenant ? { tenant_id: [budget.tenant] } : {};
    const spendOver = async (db: pg.Pool, now: number, ms: number) => {
      const [point] = await readMetrics(db, caller, { projectId, window: window(now, ms), filters, quantiles: [] });
      return point?.costUsd ?? 0;
    };
    return {
      ...base(severity, 'burn'),
      summary: `${budget.name}: ${budget.tenant ? `tenant ${budget.tenant}` : 'project'} spending ${pairs.map((p) => `${p.burnRate}×`).join(' or ')} faster than $${budget.monthlyUsd}/month allows`,
      async evaluate(db: pg.Pool, now: number): Promise<Evaluation> {
        const monthMs = utcMonthMs(now);
        const month = await monthSpend(db, caller, projectId, new Date(now));
        const spend = spendOf(month, tenantId);
        const exhaustsAt = exhaustionOf(spend, budget.monthlyUsd, month);
        const windows: BudgetBurnWindow[] = [];
        for (const pair of pairs) {
          const [longUsd, shortUsd] = await Promise.all([
            spendOver(db, now, pair.longMs),
            spendOver(db, now, pair.shortMs),
          ]);
          const longBurn = longUsd > 0 ? budgetBurnRate(longUsd, pair.longMs, budget.monthlyUsd, monthMs) : null;
          const shortBurn = shortUsd > 0 ? budgetBurnRate(shortUsd, pair.shortMs, budget.monthlyUsd, monthMs) : null;
          windows.push({
            long: pair.longMs,
            short: pair.shortMs,
            threshold: pair.burnRate,
            longBurn,
            shortBurn,
            longUsd,
            shortUsd,
            firing: longBurn !== null && shortBurn !== null && longBurn >= pair.burnRate && shortBurn >= pair.burnRate,
          });
        }
        const observed: BudgetBurnObservation = {
          kind: 'budget_burn',
          monthlyUsd: budget.monthlyUsd,
          spentUsd: spend.spentUsd,
          exhaustsAt: exhaustsAt === null ? null : new Date(exhaustsAt).toISOString(),
          windows,
        };
        return { observation: windows.some((w) => w.firing) ? 'true' : 'false', observed };
      },
    };
  };
  return [
    make('ticket', 'forecast', budget.forecastAt),
    make('page', 'spent', budget.spentAt),
    ...(budget.burnAlerts ? [burn('page'), burn('ticket')] : []),
  ];
}

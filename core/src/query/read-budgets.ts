// Budget reads, and the one month-spend forecast that the dashboard's budget columns and the
// budget alerts both use: spend this month, and the month-end forecast at the trailing 7-day rate.

import type pg from 'pg';
import { DAY_MS, MINUTE_MS } from '../rollups/rollup-rows.ts';
import { ALL_TENANTS } from '../spans/index.ts';
import { type Caller, withCaller } from './caller.ts';
import { readMetrics } from './read-metrics.ts';
import { type BudgetsQuery, budgetsQuerySchema } from './schemas.ts';

export interface BudgetStatus {
  /** ALL_TENANTS ('*') is the whole project. */
  tenantId: string;
  monthlyUsd: number;
  spentUsd: number;
  forecastUsd: number;
  spentFraction: number;
  forecastFraction: number;
  /** When the budget runs out at the last 24 h's rate (ISO); null when it lasts the month. */
  exhaustsAt: string | null;
}

export interface Spend {
  spentUsd: number;
  forecastUsd: number;
  /** Spend over the 24 hours up to now: the rate the budget's exhaustion is forecast at. */
  lastDayUsd: number;
}

export interface MonthSpend {
  /** YYYY-MM (UTC). */
  month: string;
  /** The "now" the spend is measured to, and the month's end (epoch ms). */
  nowMs: number;
  monthEndMs: number;
  /** Per tenant that spent anything this month or in the last day, and ALL_TENANTS for the whole project. */
  byTenant: Map<string, Spend>;
}

/**
 * The spend of the UTC month holding `at`, per tenant and in total, with a month-end forecast at
 * the trailing 7-day rate (or the month so far, when younger). "Now" is `at` rounded up to the
 * minute (rollups are per minute) and capped at the month's end.
 */
/** YYYY-MM of the UTC month holding `at`. */
const utcMonth = (at: Date) => at.toISOString().slice(0, 7);

export async function monthSpend(pool: pg.Pool, caller: Caller, projectId: string, at: Date): Promise<MonthSpend> {
  const monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  const monthEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  const now = Math.min(Math.ceil(at.getTime() / MINUTE_MS) * MINUTE_MS, monthEnd);
  const month = utcMonth(at);
  const byTenant = new Map<string, Spend>();
  const rateFrom = Math.max(monthStart, now - 7 * DAY_MS);
  const costByTenant = async (fromMs: number) => {
    if (fromMs >= now) return new Map<string, number>();
    const points = await readMetrics(pool, caller, {
      projectId,
      window: { from: new Date(fromMs), to: new Date(now) },
      groupBy: ['tenant_id'],
      quantiles: [],
    });
    return new Map(points.map((p) => [p.group.tenant_id ?? '', p.costUsd]));
  };
  // At the month's first instant nothing is spent and there is no rate to forecast from, but the
  // last day's spend (last month's) still says when a budget would run out.
  const [spent, lastDay] = await Promise.all([costByTenant(monthStart), costByTenant(now - DAY_MS)]);
  const recent = rateFrom === monthStart ? spent : await costByTenant(rateFrom);
  const forecast = (spentUsd: number, recentUsd: number, lastDayUsd: number): Spend => ({
    spentUsd,
    forecastUsd: now > rateFrom ? spentUsd + (recentUsd / (now - rateFrom)) * (monthEnd - now) : spentUsd,
    lastDayUsd,
  });
  const total = (costs: Map<string, number>) => [...costs.values()].reduce((a, b) => a + b, 0);
  for (const tenant of new Set([...spent.keys(), ...lastDay.keys()]))
    byTenant.set(tenant, forecast(spent.get(tenant) ?? 0, recent.get(tenant) ?? 0, lastDay.get(tenant) ?? 0));
  byTenant.set(ALL_TENANTS, forecast(total(spent), total(recent), total(lastDay)));
  return { month, nowMs: now, monthEndMs: monthEnd, byTenant };
}

/**
 * When a monthly budget runs out at the last 24 hours' rate (epoch ms): now when it is spent
 * already; null when no spend in the last day, or when it lasts past the month's end.
 */
export function exhaustionOf(spend: Spend, monthlyUsd: number, month: Pick<MonthSpend, 'nowMs' | 'monthEndMs'>) {
  if (spend.spentUsd >= monthlyUsd) return month.nowMs;
  if (!(spend.lastDayUsd > 0)) return null;
  const at = month.nowMs + ((monthlyUsd - spend.spentUsd) / spend.lastDayUsd) * DAY_MS;
  return at < month.monthEndMs ? at : null;
}

/**
 * How many times faster than evenly a budget is being spent: the spend rate over a window against
 * the monthly budget spread over its month (1 = on course to spend exactly the budget). The
 * budget burn alerts' windows are the SLO ones, so 14.4× over an hour is 2% of the month's budget.
 */
export function budgetBurnRate(windowUsd: number, windowMs: number, monthlyUsd: number, monthMs: number): number {
  return windowUsd / windowMs / (monthlyUsd / monthMs);
}

/** The length of the UTC month `atMs` falls in. */
export function utcMonthMs(atMs: number): number {
  const at = new Date(atMs);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1) - Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
}

/** A tenant's (or ALL_TENANTS') spend in a MonthSpend: nothing spent is zero, not unknown. */
export function spendOf(spend: MonthSpend, tenantId: string): Spend {
  return spend.byTenant.get(tenantId) ?? { spentUsd: 0, forecastUsd: 0, lastDayUsd: 0 };
}

/** Each budget's spend this month and the month-end forecast. */
export async function readBudgets(
  pool: pg.Pool,
  caller: Caller,
  input: BudgetsQuery,
): Promise<{ month: string; budgets: BudgetStatus[] }> {
  const q = budgetsQuerySchema.parse(input);
  const budgets = await withCaller(
    pool,
    caller,
    async (client) =>
      (
        await client.query<{ tenant_id: string; monthly_usd: number }>(
          `select tenant_id, monthly_usd from budgets where project_id = $1 order by tenant_id`,
          [q.projectId],
        )
      ).rows,
  );
  const at = q.at ?? new Date();
  if (budgets.length === 0) return { month: utcMonth(at), budgets: [] };
  const spend = await monthSpend(pool, caller, q.projectId, at);
  return {
    month: spend.month,
    budgets: budgets.map((b) => {
      const tenantSpend = spendOf(spend, b.tenant_id);
      const { spentUsd, forecastUsd } = tenantSpend;
      const exhaustsAt = exhaustionOf(tenantSpend, b.monthly_usd, spend);
      return {
        tenantId: b.tenant_id,
        monthlyUsd: b.monthly_usd,
        spentUsd,
        forecastUsd,
        spentFraction: spentUsd / b.monthly_usd,
        forecastFraction: forecastUsd / b.monthly_usd,
        exhaustsAt: exhaustsAt === null ? null : new Date(exhaustsAt).toISOString(),
      };
    }),
  };
}

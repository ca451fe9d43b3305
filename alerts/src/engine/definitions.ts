// The alert instances a config defines, each with its labels (hence its fingerprint), its timing,
// and how to evaluate it against the query API: SLO burn rates (one instance per severity, the OR
// of its window pairs), threshold rules, and monthly budgets (forecast → ticket, spend → page).

import { createHash } from 'node:crypto';
import {
  ALL_TENANTS,
  budgetBurnRate,
  type Caller,
  exhaustionOf,
  monthSpend,
  readCostSli,
  readMetrics,
  readSli,
  SERVICE_CALLER,
  type Spend,
  spendOf,
  utcMonthMs,
} from '@vigil/core';
import type pg from 'pg';
import type { AlertsConfig, BudgetConfig, RuleConfig, Severity, SloConfig } from '../config/schema.ts';
import { type WindowPair, evaluatePair, scaledWindows, WORKBOOK_WINDOWS } from '../slo/burn-rate.ts';
import { type Filters, selectorFilters, selectorLabels } from '../slo/selector.ts';
import type { Observation, Timing } from '../state/machine.ts';
import type {
  AlertObservation,
  BudgetBurnObservation,
  BudgetBurnWindow,
  BudgetObservation,
  RuleObservation,
  SloObservation,
} from './observations.ts';

export interface Evaluation {
  observation: Observation;
  /** What was seen, for messages and the UI: window values against thresholds. */
  observed: AlertObservation;
}

export interface AlertDefinition {
  fingerprint: string;
  projectId: string;
  projectName: string;
  tenantId: string;
  name: string;
  kind: 'slo' | 'rule' | 'budget';
  severity: Severity;
  labels: Record<string, string>;
  timing: Timing;
  summary: string;
  /** Set when the alert watches one deployment: a page then rolls that deployment back. */
  deployment: string | null;
  evaluate(pool: pg.Pool, now: number): Promise<Evaluation>;
}

export function fingerprint(labels: Record<string, string>): string {
  const canonical = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

const caller: Caller = SERVICE_CALLER;
const window = (now: number, ms: number) => ({ from: new Date(now - ms), to: new Date(now) });

export interface Counts {
  total: number;
  bad: number;
}

/** Good and bad events of an SLO over the window ending now. */
async function sloCounts(
  pool: pg.Pool,
  slo: SloConfig,
  projectId: string,
  filters: Filters,
  now: number,
  ms: number,
): Promise<Counts> {
  const w = window(now, ms);
  switch (slo.sli.kind) {
    case 'latency':
    case 'ttft': {
      const r = await readSli(pool, caller, {
        projectId,
        window: w,
        filters,
        metric: slo.sli.kind,
        thresholdMs: slo.sli.thresholdMs,
      });
      return { total: r.total, bad: r.total - (r.good ?? 0) };
    }
    case 'errors': {
      const r = await readSli(pool, caller, { projectId, window: w, filters });
      return { total: r.total, bad: r.errors };
    }
    case 'cost_per_request': {
      // From the rollups' cost distributions: every window is as fresh as the latency ones.
      const r = await readCostSli(pool, caller, { projectId, window: w, filters, maxUsd: slo.sli.maxUsd });
      return { total: r.total, bad: r.total - r.good };
    }
  }
}

function sloDefinitions(slo: SloConfig, projectId: string, timing: Timing): AlertDefinition[] {
  const pairs: WindowPair[] = slo.windows
    ? slo.windows.map((w) => ({ severity: w.severity, longMs: w.long, shortMs: w.short, burnRate: w.burnRate }))
    : scaledWindows(slo.period);
  const objective = slo.objective / 100;
  const filters = selectorFilters(slo.selector);
  const deployment = slo.selector.deployment?.length === 1 ? slo.selector.deployment[0]! : null;
  const tenantId = slo.selector.tenant?.length === 1 ? slo.selector.tenant[0]! : ALL_TENANTS;
  return (['page', 'ticket'] as const)
    .map((severity) => ({ severity, mine: pairs.filter((p) => p.severity === severity) }))
    .filter(({ mine }) => mine.length > 0)
    .map(({ severity, mine }) => {
      const labels = {
        alertname: slo.name,
        project: slo.project,
        slo: slo.name,
        severity,
        sli: slo.sli.kind,
        ...selectorLabels(slo.selector),
        ...slo.labels,
      };
      return {
        fingerprint: fingerprint(labels),
        projectId,
        projectName: slo.project,
        tenantId,
        name: slo.name,
        kind: 'slo' as const,
        severity,
        labels,
        // Burn alerts have no `for`: the short window already stops flapping (SRE Workbook).
        timing: { ...timing, forMs: 0, keepFiringForMs: 0 },
        summary: `${slo.name}: ${describeSli(slo)} for ${slo.objective}% over ${Math.round(slo.period / 86_400_000)}d`,
        deployment,
        async evaluate(pool: pg.Pool, now: number): Promise<Evaluation> {
          const cache = new Map<number, Promise<Counts>>();
          const counts = (ms: number) => {
            let found = cache.get(ms);
            if (!found) cache.set(ms, (found = sloCounts(pool, slo, projectId, filters, now, ms)));
            return found;
          };
          const evaluations = await Promise.all(
            mine.map(async (pair) =>
              evaluatePair(pair, await counts(pair.longMs), await counts(pair.shortMs), objective, slo.minEvents),
            ),
          );
          // The error budget left over the whole period, for the dashboard (the page instance only:
          // one period query per SLO and tick).
          const period = severity === 'page' ? await counts(slo.period) : null;
          const observed: SloObservation = {
            kind: 'slo',
            sli: describeSli(slo),
            objective: slo.objective,
            periodMs: slo.period,
            ...(period
              ? {
                  periodEvents: period.total,
                  periodBad: period.bad,
                  budgetRemaining: period.total > 0 ? 1 - period.bad / period.total / (1 - objective) : null,
                }
              : {}),
            windows: evaluations.map((e) => ({
              long: e.pair.longMs,
              short: e.pair.shortMs,
              threshold: e.pair.burnRate,
              longBurn: e.long.burnRate,
              shortBurn: e.short.burnRate,
              longEvents: e.long.total,
              shortEvents: e.short.total,
              firing: e.firing,
            })),
          };
          if (evaluations.some((e) => e.firing)) return { observation: 'true', observed };
          // No events at all in the longest window: the SLO cannot be measured.
          if (evaluations.every((e) => e.long.total === 0)) return { observation: 'nodata', observed };
          return { observation: 'false', observed };
        },
      };
    });
}

function describeSli(slo: SloConfig): string {
  switch (slo.sli.kind) {
    case 'latency':
      return `latency ≤ ${slo.sli.thresholdMs} ms`;
    case 'ttft':
      return `TTFT ≤ ${slo.sli.thresholdMs} ms`;
    case 'errors':
      return 'no errors';
    case 'cost_per_request':
      return `cost ≤ $${slo.sli.maxUsd} per call`;
  }
}

async function ruleValue(
  pool: pg.Pool,
  rule: RuleConfig,
  projectId: string,
  now: number,
): Promise<{ value: number | null; events: number }> {
  const filters = selectorFilters(rule.selector);
  const quantile = /_(p\d\d)$/.exec(rule.metric)?.[1];
  const of = rule.metric.startsWith('ttft') ? 'ttft' : 'latency';
  const [point] = await readMetrics(pool, caller, {
    projectId,
    window: window(now, rule.window),
    filters,
    quantiles: quantile ? [Number(quantile.slice(1)) / 100] : [],
    quantilesOf: [of],
  });
  if (!point) return { value: null, events: 0 };
  switch (rule.metric) {
    case 'error_ratio':
      return { value: point.errorRate, events: point.spans };
    case 'cost_per_request':
      return { value: point.spans > 0 ? point.costUsd / point.spans : null, events: point.spans };
    case 'cost_coverage':
      return { value: point.modelCalls > 0 ? point.pricedCalls / point.modelCalls : null, events: point.modelCalls };
    case 'requests':
      return { value: point.spans, events: point.spans };
    default: {
      const stats = of === 'ttft' ? point.ttftMs : point.latencyMs;
      return { value: stats.quantiles[quantile!] ?? null, events: of === 'ttft' ? point.ttftMs.count : point.spans };
    }
  }
}

function ruleDefinition(rule: RuleConfig, projectId: string, timing: Timing): AlertDefinition {
  const labels = {
    alertname: rule.name,
    project: rule.project,
    rule: rule.name,
    severity: rule.severity,
    metric: rule.metric,
    ...selectorLabels(rule.selector),
    ...rule.labels,
  };
  return {
    fingerprint: fingerprint(labels),
    projectId,
    projectName: rule.project,
    tenantId: rule.selector.tenant?.length === 1 ? rule.selector.tenant[0]! : ALL_TENANTS,
    name: rule.name,
    kind: 'rule',
    severity: rule.severity,
    labels,
    timing: { ...timing, forMs: rule.for, keepFiringForMs: rule.keepFiringFor },
    summary: `${rule.name}: ${rule.metric} ${rule.op} ${rule.threshold} over ${Math.round(rule.window / 60_000)}m`,
    deployment: rule.selector.deployment?.length === 1 ? rule.selector.deployment[0]! : null,
    async evaluate(pool: pg.Pool, now: number): Promise<Evaluation> {
      const { value, events } = await ruleValue(pool, rule, projectId, now);
      const observed: RuleObservation = {
        kind: 'rule',
        metric: rule.metric,
        value,
        op: rule.op,
        threshold: rule.threshold,
        window: rule.window,
        events,
      };
      if (value === null || (rule.metric !== 'requests' && events < rule.minEvents))
        return { observation: 'nodata', observed };
      const breached = rule.op === '>' ? value > rule.threshold : value < rule.threshold;
      return { observation: breached ? 'true' : 'false', observed };
    },
  };
}

function budgetDefinitions(budget: BudgetConfig, projectId: string, timing: Timing): AlertDefinition[] {
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

/** Every alert instance the config defines, for the projects that exist (by name → id). */
export function alertDefinitions(
  config: AlertsConfig,
  projects: ReadonlyMap<string, string>,
): { definitions: AlertDefinition[]; unknownProjects: string[] } {
  const timing: Timing = { forMs: 0, keepFiringForMs: 0, noData: config.engine.noData, error: config.engine.error };
  const definitions: AlertDefinition[] = [];
  const unknown = new Set<string>();
  const projectId = (name: string) => {
    const id = projects.get(name);
    if (!id) unknown.add(name);
    return id;
  };
  for (const slo of config.slos) {
    const id = projectId(slo.project);
    if (id && slo.alerting) definitions.push(...sloDefinitions(slo, id, timing));
  }
  for (const rule of config.rules) {
    const id = projectId(rule.project);
    if (id) definitions.push(ruleDefinition(rule, id, timing));
  }
  for (const budget of config.budgets) {
    const id = projectId(budget.project);
    if (id) definitions.push(...budgetDefinitions(budget, id, timing));
  }
  return { definitions, unknownProjects: [...unknown] };
}

// The alert instances a config defines, each with its labels (hence its fingerprint), its timing,
// and how to evaluate it against the query API: SLO burn rates (one instance per severity, the OR
// of its window pairs), threshold rules, and monthly budgets (budget-definitions.ts).

import { ALL_TENANTS, readMetrics } from '@vigil/core';
import { type Counts, countSloEvents } from '../slo/slo-events.ts';
import type pg from 'pg';
import type { AlertsConfig, RuleConfig, SloConfig } from '../config/schema.ts';
import { type WindowPair, evaluatePair, scaledWindows } from '../slo/burn-rate.ts';
import { measureOf, selectorFilters, selectorLabels } from '../slo/selector.ts';
import type { Timing } from '../state/machine.ts';
import {
  type AlertDefinition,
  DEFINITION_CALLER as caller,
  type Evaluation,
  fingerprint,
  windowEnding as window,
} from './alert-definition.ts';
import { budgetDefinitions } from './budget-definitions.ts';
import type { RuleObservation, SloObservation } from './observations.ts';

function sloDefinitions(slo: SloConfig, projectId: string, timing: Timing): AlertDefinition[] {
  const pairs: WindowPair[] = slo.windows
    ? slo.windows.map((w) => ({ severity: w.severity, longMs: w.long, shortMs: w.short, burnRate: w.burnRate }))
    : scaledWindows(slo.period);
  const objective = slo.objective / 100;
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
            if (!found) cache.set(ms, (found = countSloEvents(pool, caller, slo, projectId, window(now, ms))));
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
    case 'cache_hit_ratio':
      return 'cache hits';
  }
}

async function ruleValue(
  pool: pg.Pool,
  rule: RuleConfig,
  projectId: string,
  now: number,
): Promise<{ value: number | null; events: number }> {
  const filters = selectorFilters(rule.selector, {}, measureOf(rule.metric));
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
    case 'cache_hit_ratio':
      return { value: point.cache.hitRatio, events: point.cache.hits + point.cache.misses };
    case 'requests':
      return { value: point.spans, events: point.spans };
    default: {
      // The events a quantile is over: the timed calls (a call reported without a duration is not one).
      const stats = of === 'ttft' ? point.ttftMs : point.latencyMs;
      return { value: stats.quantiles[quantile!] ?? null, events: stats.count };
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

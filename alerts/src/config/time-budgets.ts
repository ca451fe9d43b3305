// Time budgets, as teams write them in their playbooks ("300 ms for DB, 200 ms for cache, 1.5 s for
// the model"; "feed 300 ms, search 600 ms"): each entry is a latency SLO of its own, with the same
// burn-rate windows as any other SLO, named and labelled so the dashboard can find it.

import { z } from 'zod';
import { durationSchema } from './duration.ts';
import type { Selector, SloConfig } from './schema.ts';

const values = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** The call categories a dependency budget can name (spans.category). */
export const BUDGETED_DEPENDENCIES = ['db', 'cache', 'model', 'http'] as const;

export const timeBudgetsSchema = z
  .object({
    project: z.string().min(1).default('default'),
    /** Percent of calls within their budget over the period. */
    objective: z.number().gt(0).lt(100).default(99),
    period: durationSchema.prefault('30d'),
    /** Narrows every budget to these services and tenants. */
    selector: z.object({ service: values.optional(), tenant: values.optional() }).strict().prefault({}),
    /** Request latency per surface (its HTTP spans: the request and HTTP calls made inside it). */
    surfaces: z.record(z.string().min(1), durationSchema).default({}),
    /** Latency per call category. */
    dependencies: z.partialRecord(z.enum(BUDGETED_DEPENDENCIES), durationSchema).default({}),
    minEvents: z.number().int().nonnegative().default(20),
    alerting: z.boolean().default(true),
  })
  .strict();

export type TimeBudgetsConfig = z.output<typeof timeBudgetsSchema>;

/** The label that marks an SLO as a time budget: `surface` or `dependency`. */
export const TIME_BUDGET_LABEL = 'time_budget';

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'root'
  );
}

/** One latency SLO per surface and per dependency; names are unique within the project. */
export function expandTimeBudgets(budgets: TimeBudgetsConfig): SloConfig[] {
  const scope: Selector = { ...budgets.selector };
  const used = new Set<string>();
  const nameOf = (base: string) => {
    let name = base.slice(0, 60);
    for (let i = 2; used.has(name); i++) name = `${base.slice(0, 56)}-${i}`;
    used.add(name);
    return name;
  };
  const slo = (
    name: string,
    description: string,
    selector: Selector,
    thresholdMs: number,
    labels: Record<string, string>,
  ): SloConfig => ({
    name: nameOf(name),
    project: budgets.project,
    description,
    objective: budgets.objective,
    period: budgets.period,
    selector,
    sli: { kind: 'latency', thresholdMs },
    minEvents: budgets.minEvents,
    alerting: budgets.alerting,
    windows: undefined,
    labels,
  });
  const out: SloConfig[] = [];
  for (const [surface, ms] of Object.entries(budgets.surfaces))
    out.push(
      slo(
        `budget.surface.${slug(surface)}`,
        `${surface} answers within ${ms} ms`,
        { ...scope, surface: [surface], category: ['http'] },
        ms,
        { [TIME_BUDGET_LABEL]: 'surface', surface },
      ),
    );
  for (const category of BUDGETED_DEPENDENCIES) {
    const ms = budgets.dependencies[category];
    if (ms === undefined) continue;
    out.push(
      slo(`budget.${category}`, `${category} calls within ${ms} ms`, { ...scope, category: [category] }, ms, {
        [TIME_BUDGET_LABEL]: 'dependency',
        category,
      }),
    );
  }
  return out;
}

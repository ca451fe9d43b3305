// The dimensions of a rollup row, and the cuboids: which of them a rollup keeps. Cuboid 0 keeps all;
// the others sum over some, so project-wide questions read a few rows instead of thousands.

export const DIMENSIONS = [
  'tenant_id',
  'service_name',
  'category',
  'surface',
  'model',
  'provider',
  'deployment',
  'status',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Cuboid {
  id: number;
  dimensions: ReadonlySet<Dimension>;
  /**
   * Kept at minute grain too. The big cuboids that only save a little over cuboid 0 are kept at
   * hour and day grain alone: minute rows are most of the rollups' size and compaction's work.
   */
  minute: boolean;
  /**
   * Hour rows kept as long as day rows. The big cuboids (a row per tenant and surface or model
   * each hour: most of the hour rows) keep theirs for days only, as minutes are kept for days, and
   * older windows are read from their day rows: kept 13 months, they were 13 times the raw spans'
   * hour rollups of a 30-day dataset.
   */
  longHours: boolean;
  /**
   * Minute rows kept as long as the big cuboids' hours (a week and a day by default), not as long
   * as the other minutes (four days). The cuboids that sum over tenants are a few rows a minute
   * however many tenants there are, while a window reaching back past their minutes has its edge
   * read from raw spans: half an hour of every tenant's spans, which grows with the project.
   */
  longMinutes: boolean;
}

interface Grains {
  minute?: boolean;
  longHours?: boolean;
  longMinutes?: boolean;
}

function cuboid(id: number, without: Dimension[], grains: Grains = {}): Cuboid {
  const minute = grains.minute ?? true;
  return {
    id,
    dimensions: new Set(DIMENSIONS.filter((d) => !without.includes(d))),
    minute,
    longHours: grains.longHours ?? true,
    longMinutes: minute && (grains.longMinutes ?? false),
  };
}

/** Smallest first: the query planner takes the first that keeps every dimension it needs. */
export const CUBOIDS: readonly Cuboid[] = [
  // Service health over time (the latency and TTFT panels, SLOs by category): a row per category.
  cuboid(7, ['tenant_id', 'surface', 'model', 'provider', 'deployment', 'status'], { longMinutes: true }),
  // Service health by deployment (canary judgement, SLOs per version): a handful of rows per minute.
  cuboid(4, ['tenant_id', 'surface', 'model', 'provider'], { longMinutes: true }),
  // Requests, errors and cost per tenant (what finance and budgets read): one row per tenant.
  cuboid(6, ['service_name', 'category', 'surface', 'model', 'provider', 'deployment', 'status']),
  // Health per tenant by service and category: no surface, model or deployment.
  cuboid(5, ['surface', 'model', 'provider', 'deployment'], { longHours: false }),
  // Latency, TTFT and cost by model across all tenants.
  cuboid(3, ['tenant_id', 'surface'], { longMinutes: true }),
  // By surface (route) across all tenants.
  cuboid(2, ['tenant_id'], { minute: false, longHours: false }),
  // Cost and health per tenant, across surfaces.
  cuboid(1, ['surface'], { minute: false, longHours: false }),
  cuboid(0, [], { longHours: false }),
];

export const FULL_CUBOID = CUBOIDS.find((c) => c.id === 0)!;

export const MINUTE_CUBOIDS: readonly Cuboid[] = CUBOIDS.filter((c) => c.minute);

/** The cuboids whose minute rows retention keeps as long as the big cuboids' hours (`longMinutes`). */
export const LONG_MINUTE_CUBOIDS: readonly Cuboid[] = CUBOIDS.filter((c) => c.longMinutes);

/** The cuboids whose hour rows retention deletes after days (`longHours` false). */
export const SHORT_HOUR_CUBOIDS: readonly Cuboid[] = CUBOIDS.filter((c) => !c.longHours);

export function keepsTenant(c: Cuboid): boolean {
  return c.dimensions.has('tenant_id');
}

/**
 * The smallest cuboid that keeps every needed dimension, among those kept at minute grain when
 * minute rows are read. A caller scoped to one tenant reads only cuboids that keep the tenant:
 * row-level security hides the others from it.
 */
export function chooseCuboid(needed: Iterable<Dimension>, tenantScoped: boolean, minuteGrain = false): Cuboid {
  const want = [...needed];
  for (const c of CUBOIDS) {
    if (tenantScoped && !keepsTenant(c)) continue;
    if (minuteGrain && !c.minute) continue;
    if (want.every((d) => c.dimensions.has(d))) return c;
  }
  return FULL_CUBOID;
}

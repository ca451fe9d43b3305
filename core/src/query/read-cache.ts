// Cache hit rate per surface, and what the hits saved: each hit priced at the mean cost of the
// surface's priced model calls in the same window, the call it most likely stood in for. One
// metrics query by surface, from the rollups.

import type pg from 'pg';
import type { Caller } from './caller.ts';
import type { MetricsPoint } from './metrics.ts';
import { readMetrics } from './read-metrics.ts';
import { type CacheSavingsQuery, cacheSavingsQuerySchema } from './schemas.ts';

export interface CacheSurface {
  /** Null for lookups outside any surface. */
  surface: string | null;
  /** Lookups that said whether they hit (the others are counted in neither). */
  hits: number;
  misses: number;
  hitRatio: number | null;
  /** The surface's priced model calls in the window and their mean cost; null without any. */
  pricedModelCalls: number;
  meanModelCallUsd: number | null;
  /** hits × meanModelCallUsd: the model spend the hits saved; null when that mean is unknown. */
  savedUsd: number | null;
}

/** The one rule for what a surface's cache hits saved. */
export function cacheSavings(point: Pick<MetricsPoint, 'cache' | 'pricedCalls' | 'costUsd'>): {
  meanModelCallUsd: number | null;
  savedUsd: number | null;
} {
  const meanModelCallUsd = point.pricedCalls > 0 ? point.costUsd / point.pricedCalls : null;
  return { meanModelCallUsd, savedUsd: meanModelCallUsd === null ? null : point.cache.hits * meanModelCallUsd };
}

/** Surfaces with cache lookups in the window, the most saved first. */
export async function readCacheSavings(
  pool: pg.Pool,
  caller: Caller,
  input: CacheSavingsQuery,
): Promise<CacheSurface[]> {
  const q = cacheSavingsQuerySchema.parse(input);
  const points = await readMetrics(pool, caller, {
    projectId: q.projectId,
    window: q.window,
    filters: q.filters,
    groupBy: ['surface'],
    quantiles: [],
  });
  return points
    .filter((p) => p.cache.hits + p.cache.misses > 0)
    .map((p) => ({
      surface: p.group.surface ?? null,
      hits: p.cache.hits,
      misses: p.cache.misses,
      hitRatio: p.cache.hitRatio,
      pricedModelCalls: p.pricedCalls,
      ...cacheSavings(p),
    }))
    .sort((a, b) => (b.savedUsd ?? -1) - (a.savedUsd ?? -1) || b.hits - a.hits);
}

// Cache hit rate per surface and cache, and what the hits saved: each hit priced at the mean cost of
// the surface's priced model calls in the same window, the call it most likely stood in for. Two
// metrics queries from the rollups: lookups by surface and cache (a cache span's provider), and
// model calls by surface.

import type pg from 'pg';
import type { Caller } from './caller.ts';
import type { MetricsPoint } from './metrics.ts';
import { readMetrics } from './read-metrics.ts';
import { type CacheSavingsQuery, cacheSavingsQuerySchema } from './schemas.ts';

/** One cache's lookups on one surface. */
export interface CacheSurface {
  /** Null for lookups outside any surface. */
  surface: string | null;
  /** The cache asked (cache.name, cache.system or the db system); null where the span names none. */
  cache: string | null;
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

/** Surfaces' caches with lookups in the window, the most saved first. */
export async function readCacheSavings(
  pool: pg.Pool,
  caller: Caller,
  input: CacheSavingsQuery,
): Promise<CacheSurface[]> {
  const q = cacheSavingsQuerySchema.parse(input);
  const base = { projectId: q.projectId, window: q.window, quantiles: [] };
  const [lookups, modelCalls] = await Promise.all([
    readMetrics(pool, caller, { ...base, filters: q.filters, groupBy: ['surface', 'provider'] }),
    readMetrics(pool, caller, { ...base, filters: { ...q.filters, category: ['model'] }, groupBy: ['surface'] }),
  ]);
  const calls = new Map(modelCalls.map((p) => [p.group.surface ?? null, p]));
  const none = { pricedCalls: 0, costUsd: 0 };
  return lookups
    .filter((p) => p.cache.hits + p.cache.misses > 0)
    .map((p) => {
      const surface = p.group.surface ?? null;
      const { pricedCalls, costUsd } = calls.get(surface) ?? none;
      return {
        surface,
        cache: p.group.provider ?? null,
        hits: p.cache.hits,
        misses: p.cache.misses,
        hitRatio: p.cache.hitRatio,
        pricedModelCalls: pricedCalls,
        ...cacheSavings({ cache: p.cache, pricedCalls, costUsd }),
      };
    })
    .sort((a, b) => (b.savedUsd ?? -1) - (a.savedUsd ?? -1) || b.hits - a.hits);
}

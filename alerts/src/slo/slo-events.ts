// What an SLO counts: its good and bad events in a window, by its SLI's kind. One definition for
// the engine's burn rates and the SLO page's history.

import { type Caller, readCostSli, readMetrics, readSli } from '@vigil/core';
import type pg from 'pg';
import type { SloConfig } from '../config/schema.ts';
import { measureOf, selectorFilters } from './selector.ts';

export interface Counts {
  total: number;
  bad: number;
}

export async function countSloEvents(
  pool: pg.Pool,
  caller: Caller,
  slo: SloConfig,
  projectId: string,
  window: { from: Date; to: Date },
): Promise<Counts> {
  const filters = selectorFilters(slo.selector, {}, measureOf(slo.sli.kind));
  switch (slo.sli.kind) {
    case 'latency':
    case 'ttft': {
      const r = await readSli(pool, caller, {
        projectId,
        window,
        filters,
        metric: slo.sli.kind,
        thresholdMs: slo.sli.thresholdMs,
      });
      return { total: r.total, bad: r.total - (r.good ?? 0) };
    }
    case 'errors': {
      const r = await readSli(pool, caller, { projectId, window, filters });
      return { total: r.total, bad: r.errors };
    }
    case 'cost_per_request': {
      // From the rollups' cost distributions: every window is as fresh as the latency ones.
      const r = await readCostSli(pool, caller, { projectId, window, filters, maxUsd: slo.sli.maxUsd });
      return { total: r.total, bad: r.total - r.good };
    }
    case 'cache_hit_ratio': {
      const [point] = await readMetrics(pool, caller, { projectId, window, filters, quantiles: [] });
      return point ? { total: point.cache.hits + point.cache.misses, bad: point.cache.misses } : { total: 0, bad: 0 };
    }
  }
}

// For the retention tests: one question answered from the rollups over a window and exactly from
// raw spans over the window the rollups are expected to cover (the window asked, or one widened at
// its old edges).

import type pg from 'pg';
import { type Caller, SERVICE_CALLER } from '../../src/query/caller.ts';
import type { MetricsPoint } from '../../src/query/metrics.ts';
import { readMetrics } from '../../src/query/read-metrics.ts';
import type { Dimension } from '../../src/rollups/cuboids.ts';

/** The additive totals of an answer, which rollups must give exactly. */
export function totals(points: MetricsPoint[]) {
  return {
    spans: points.reduce((n, p) => n + p.spans, 0),
    errors: points.reduce((n, p) => n + p.errors, 0),
    modelCalls: points.reduce((n, p) => n + p.modelCalls, 0),
    tokens: points.reduce((n, p) => n + p.tokens.input + p.tokens.output, 0),
    cost: Math.round(points.reduce((n, p) => n + p.costUsd, 0) * 1e9),
  };
}

export async function rollupAndExact(
  pool: pg.Pool,
  projectId: string,
  groupBy: Dimension[],
  asked: { from: number; to: number },
  read: { from: number; to: number },
  stepMs?: number,
  caller: Caller = SERVICE_CALLER,
): Promise<{ rollup: MetricsPoint[]; exact: MetricsPoint[] }> {
  const window = (w: { from: number; to: number }) => ({ from: new Date(w.from), to: new Date(w.to) });
  const q = { projectId, quantiles: [], groupBy };
  return {
    rollup: await readMetrics(pool, caller, { ...q, window: window(asked), ...(stepMs ? { stepMs } : {}) }),
    exact: await readMetrics(pool, SERVICE_CALLER, { ...q, window: window(read), exact: true }),
  };
}

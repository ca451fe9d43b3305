// Metrics reads: quantiles, errors, tokens and cost (series, breakdowns, top-N), SLI counts, the
// canary judge's per-span samples and latency distributions. From rollups unless a query asks
// for exact answers from raw spans; every read runs as its caller, under row-level security.

import type pg from 'pg';
import { COST_HISTOGRAM_UNITS_PER_USD } from '../rollups/rollup-rows.ts';
import { type Caller, callerCan, isTenantScoped, withCaller } from './caller.ts';
import {
  type MergedPoint,
  type MetricsPoint,
  metricsFromRollups,
  metricsFromSpans,
  type ThresholdMetric,
} from './metrics.ts';
import type { BuiltUntil, LongMinutes } from './plan.ts';
import { spanFilterSql } from './raw-filters.ts';
import {
  type CostSliQuery,
  costSliQuerySchema,
  type DistributionQuery,
  distributionQuerySchema,
  type MetricsQuery,
  metricsQuerySchema,
  type SamplesQuery,
  type SliQuery,
  samplesQuerySchema,
  sliQuerySchema,
} from './schemas.ts';

export interface SliResult {
  total: number;
  /** Requests at or under the threshold (when one was given). */
  good: number | null;
  goodRatio: number | null;
  errors: number;
  errorRatio: number | null;
  costUsd: number;
  requests: number;
  costPerRequest: number | null;
}

/** Per-span values, newest first, for tests that need the distributions themselves (the canary judge). */
export interface Samples {
  latencyMs: number[];
  /** Only spans that measured a time to first token. */
  ttftMs: number[];
  /** 1 for an error, 0 otherwise. */
  errors: number[];
  /** Only spans with a cost. */
  costUsd: number[];
}

/** Counts of requests per duration bin: (previous upper bound, upperMs]. */
export interface DistributionBin {
  upperMs: number;
  count: number;
}

/** Bin edges for latency histograms: 10 ms to 5 min, four per doubling (about 19% wide). */
export const DISTRIBUTION_EDGES_MS: readonly number[] = Array.from(
  { length: 61 },
  (_, i) => Math.round(10 * 2 ** (i / 4) * 100) / 100,
).filter((v) => v <= 300_000);

/** Quantiles, errors, tokens and cost: a series with stepMs, a breakdown with groupBy, top-N with orderBy and limit. */
export async function readMetrics(pool: pg.Pool, caller: Caller, input: MetricsQuery): Promise<MetricsPoint[]> {
  return (await mergedMetrics(pool, caller, input)).map((merged) => merged.point);
}

/** SLI ratios for the alert engine: good/total by a latency threshold, and errors/total. */
export async function readSli(pool: pg.Pool, caller: Caller, input: SliQuery): Promise<SliResult> {
  const q = sliQuerySchema.parse(input);
  const [merged] = await mergedMetrics(
    pool,
    caller,
    { projectId: q.projectId, window: q.window, filters: q.filters, quantiles: [], exact: q.exact },
    q.thresholdMs !== undefined ? q.metric : undefined,
  );
  const metric = q.metric;
  if (!merged)
    return {
      total: 0,
      good: q.thresholdMs ? 0 : null,
      goodRatio: null,
      errors: 0,
      errorRatio: null,
      costUsd: 0,
      requests: 0,
      costPerRequest: null,
    };
  const { point } = merged;
  // Calls whose duration is unknown are neither good nor bad by a latency threshold.
  const total = metric === 'latency' ? point.latencyMs.count : point.ttftMs.count;
  let good: number | null = null;
  if (q.thresholdMs !== undefined) {
    const histogram = metric === 'latency' ? merged.latency : merged.ttft;
    good = histogram
      ? histogram.countAtOrBelow(q.thresholdMs)
      : await exactGood(pool, caller, q.projectId, q.window, q.filters, metric, q.thresholdMs);
  }
  return {
    total,
    good,
    goodRatio: good !== null && total > 0 ? good / total : null,
    errors: point.errors,
    errorRatio: point.spans > 0 ? point.errors / point.spans : null,
    costUsd: point.costUsd,
    requests: point.requests,
    costPerRequest: point.costPerRequest,
  };
}

export interface CostSliResult {
  /** Priced model calls in the window. */
  total: number;
  /** Those that cost at most the limit. */
  good: number;
}

/**
 * Good and total for a cost-per-call SLO: the window's priced model calls, and those that cost at
 * most maxUsd. A call of unknown cost is in neither: it is not known to be good or bad (cost
 * coverage says how many there are). From the rollups' cost distributions, to their buckets' 1%,
 * for any window; exactly from raw spans when asked.
 */
export async function readCostSli(pool: pg.Pool, caller: Caller, input: CostSliQuery): Promise<CostSliResult> {
  const q = costSliQuerySchema.parse(input);
  if (q.exact)
    return withCaller(pool, caller, async (client) => {
      const params: unknown[] = [q.projectId, q.window.from, q.window.to, q.maxUsd];
      const where = await spanFilterSql(client, q.projectId, q.filters, params);
      const { rows } = await client.query<CostSliResult>(
        `select (count(cost_usd) filter (where category = 'model'))::float8 as total,
                (count(*) filter (where category = 'model' and cost_usd <= $4))::float8 as good
           from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}`,
        params,
      );
      return rows[0]!;
    });
  const [merged] = await mergedMetrics(
    pool,
    caller,
    { projectId: q.projectId, window: q.window, filters: q.filters, quantiles: [] },
    'cost',
  );
  if (!merged?.cost) return { total: 0, good: 0 };
  return { total: merged.cost.total, good: merged.cost.countAtOrBelow(q.maxUsd * COST_HISTOGRAM_UNITS_PER_USD) };
}

/** The latest spans' latency, TTFT, error flag and cost in the window, for the canary judge. */
export async function readSamples(pool: pg.Pool, caller: Caller, input: SamplesQuery): Promise<Samples> {
  const q = samplesQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const params: unknown[] = [q.projectId, q.window.from, q.window.to];
    const where = await spanFilterSql(client, q.projectId, q.filters, params);
    params.push(q.limit);
    const { rows } = await client.query<{
      duration_ms: number | null;
      ttft_ms: number | null;
      error: number;
      cost_usd: number | null;
    }>(
      `select duration_ms, ttft_ms, (status = 'error')::int as error, cost_usd::float8 as cost_usd
         from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}
        order by start_time desc limit $${params.length}`,
      params,
    );
    const samples: Samples = { latencyMs: [], ttftMs: [], errors: [], costUsd: [] };
    for (const row of rows) {
      if (row.duration_ms !== null) samples.latencyMs.push(row.duration_ms);
      samples.errors.push(row.error);
      if (row.ttft_ms !== null) samples.ttftMs.push(row.ttft_ms);
      if (row.cost_usd !== null) samples.costUsd.push(row.cost_usd);
    }
    return samples;
  });
}

/**
 * When the oldest of the slice's newest `limit` spans in the window started (null: none): the
 * start of "its newest N calls", for the canary judge. Bounded above by the window's end, so a
 * span stamped ahead of the reader's clock (a skewed host) is not yet counted.
 */
export async function readRecentStart(pool: pg.Pool, caller: Caller, input: SamplesQuery): Promise<Date | null> {
  const q = samplesQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const params: unknown[] = [q.projectId, q.window.from, q.window.to];
    const where = await spanFilterSql(client, q.projectId, q.filters, params);
    params.push(q.limit);
    const { rows } = await client.query<{ first: Date | null }>(
      `select min(start_time) as first from (
         select start_time from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}
          order by start_time desc limit $${params.length}) recent`,
      params,
    );
    return rows[0]?.first ?? null;
  });
}

/** The window's distribution of latency or TTFT in fixed log-spaced bins (from the rollups' histograms). */
export async function readDistribution(
  pool: pg.Pool,
  caller: Caller,
  input: DistributionQuery,
): Promise<DistributionBin[]> {
  const q = distributionQuerySchema.parse(input);
  const [merged] = await mergedMetrics(
    pool,
    caller,
    { projectId: q.projectId, window: q.window, filters: q.filters, quantiles: [] },
    q.metric,
  );
  const histogram = q.metric === 'latency' ? merged?.latency : merged?.ttft;
  if (!histogram || histogram.isEmpty()) return [];
  const bins: DistributionBin[] = [];
  let below = 0;
  for (const edge of DISTRIBUTION_EDGES_MS) {
    const atOrBelow = histogram.countAtOrBelow(edge);
    bins.push({ upperMs: edge, count: atOrBelow - below });
    below = atOrBelow;
  }
  bins.push({ upperMs: Number.POSITIVE_INFINITY, count: histogram.total - below });
  // Trim empty bins at both ends: the chart shows where the requests are.
  const firstUsed = bins.findIndex((b) => b.count > 0);
  let lastUsed = bins.length - 1;
  while (lastUsed > firstUsed && bins[lastUsed]!.count === 0) lastUsed--;
  return bins.slice(firstUsed, lastUsed + 1);
}

/** thresholdOf: the distribution an SLI counts under a threshold, read even without quantiles. */
async function mergedMetrics(
  pool: pg.Pool,
  caller: Caller,
  input: MetricsQuery,
  thresholdOf?: ThresholdMetric,
): Promise<MergedPoint[]> {
  const q = metricsQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    if (q.exact) return metricsFromSpans(client, q);
    const built = await builtUntil(client, q.projectId);
    return metricsFromRollups(
      client,
      { ...q, ...(thresholdOf ? { thresholdOf } : {}) },
      built,
      isTenantScoped(caller),
      // Finance may not read raw spans: its answers keep the widened edges.
      callerCan(caller, 'read_traces') ? built.rawFrom : null,
    );
  });
}

async function exactGood(
  pool: pg.Pool,
  caller: Caller,
  projectId: string,
  window: { from: Date; to: Date },
  filters: Record<string, string[] | undefined>,
  metric: 'latency' | 'ttft',
  thresholdMs: number,
): Promise<number> {
  return withCaller(pool, caller, async (client) => {
    const params: unknown[] = [projectId, window.from, window.to, thresholdMs];
    const where = await spanFilterSql(client, projectId, filters, params);
    const column = metric === 'latency' ? 'duration_ms' : 'ttft_ms';
    const { rows } = await client.query(
      `select count(*)::float8 as good from spans where project_id = $1 and start_time >= $2 and start_time < $3 and ${column} <= $4${where}`,
      params,
    );
    return rows[0].good;
  });
}

/** The rollups' horizons, and from when the project's raw spans are surely kept (whole days). */
async function builtUntil(
  client: pg.ClientBase,
  projectId: string,
): Promise<BuiltUntil & LongMinutes & { rawFrom: number }> {
  const { rows } = await client.query<{ what: 'built' | 'kept' | 'raw'; grain: string; ms: number }>(
    `select 'built' as what, grain, extract(epoch from built_until) * 1000 as ms from rollup_progress
     union all select 'kept', grain, extract(epoch from kept_from) * 1000 from rollup_retention
     union all select 'raw', 'spans', extract(epoch from date_trunc('day', now()) - make_interval(days => raw_retention_days - 1)) * 1000
       from projects where id = $1`,
    [projectId],
  );
  const get = (what: 'built' | 'kept' | 'raw', grain: string, none: number) =>
    Number(rows.find((r) => r.what === what && r.grain === grain)?.ms ?? none);
  return {
    hour: get('built', 'hour', 0),
    day: get('built', 'day', 0),
    minuteFrom: get('kept', 'minute', Number.NEGATIVE_INFINITY),
    longMinuteFrom: get('kept', 'long_minute', Number.NEGATIVE_INFINITY),
    hourFrom: get('kept', 'hour', Number.NEGATIVE_INFINITY),
    rawFrom: get('raw', 'spans', Number.POSITIVE_INFINITY),
  };
}

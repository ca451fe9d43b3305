// Latency, TTFT, errors, tokens and cost for a window: as a series (stepMs) or by group, from the
// rollups (the planner picks cuboid and grains) or exactly from raw spans.

import type pg from 'pg';
import { LogHistogram } from '../histogram/log-histogram.ts';
import { chooseCuboid, type Dimension } from '../rollups/cuboids.ts';
import { type HistogramColumn, ROLLUP_METRIC_COLUMNS } from '../rollups/rollup-rows.ts';
import type { UsageColumns } from '../rollups/usage-totals.ts';
import { filterSql, Params, rawDimension } from './metric-sql.ts';
import { isoTime } from './iso-time.ts';
import { alignWindow, type BuiltUntil, type LongMinutes, planPieces, rawEdgePlan, seriesStep } from './plan.ts';
import { rawEdgeSql } from './raw-edge-sql.ts';
import { spanFilterSql } from './raw-filters.ts';
import type { ParsedMetricsQuery } from './schemas.ts';

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface MetricsPoint {
  /** The group's dimension values; null where spans have none (db spans have no model). */
  group: Partial<Record<Dimension, string | null>>;
  /** Start of the step, for series. */
  bucket?: string;
  spans: number;
  /** Trace roots: the requests. */
  requests: number;
  errors: number;
  errorRate: number | null;
  /** Over the spans whose duration is known (count): a call reported without one is in spans, not here. */
  latencyMs: { count: number; mean: number | null; quantiles: Record<string, number | null> };
  ttftMs: { count: number; mean: number | null; quantiles: Record<string, number | null> };
  modelCalls: number;
  /** Model calls with a known cost; the others are in unpriced_models. */
  pricedCalls: number;
  tokens: Tokens;
  costUsd: number;
  costPerRequest: number | null;
  /**
   * Cache lookups that said whether they hit: hits, misses and the hit ratio (null with no such
   * lookup in the group). Lookups that did not say are in neither.
   */
  cache: { hits: number; misses: number; hitRatio: number | null };
}

/** A point with its merged histograms, for callers that need more than the quantiles (SLIs). */
export interface MergedPoint {
  /** What the API answers; kept apart so that answering allocates no copy per point. */
  point: MetricsPoint;
  latency: LogHistogram | null;
  ttft: LogHistogram | null;
  /** Priced model calls' costs, in COST_HISTOGRAM_UNITS_PER_USD; read only for cost SLIs. */
  cost: LogHistogram | null;
}

/** The distribution a threshold SLI counts under its threshold. */
export type ThresholdMetric = 'latency' | 'ttft' | 'cost';

interface AggregateRow extends UsageColumns {
  step: number;
  span_count: number;
  root_count: number;
  error_count: number;
  duration_sum_ms: number;
  untimed_count: number;
  latency_hist: Buffer | null;
  ttft_count: number;
  ttft_sum_ms: number;
  ttft_hist: Buffer | null;
  priced_calls: number;
  cost_hist: Buffer | null;
  cache_hits: number;
  cache_misses: number;
  [dimension: string]: unknown;
}

const labels = new Map<number, string>();

/** "p95" for 0.95; remembered, since a series labels the same quantiles on every point. */
export function quantileLabel(q: number): string {
  let label = labels.get(q);
  if (label === undefined) labels.set(q, (label = `p${Number((q * 100).toFixed(3))}`));
  return label;
}

/**
 * From the rollups: one SQL statement over every piece of the plan plus the pending deltas. Where
 * the window reaches before the minutes kept, its edges are made exact with raw spans from rawFrom
 * on (where raw spans are kept, for callers that may read them: rawEdgePlan), so the answer covers
 * the window asked. A series keeps whole buckets (each point names its own).
 */
export async function metricsFromRollups(
  client: pg.ClientBase,
  asked: ParsedMetricsQuery & { thresholdOf?: ThresholdMetric },
  built: BuiltUntil & LongMinutes,
  tenantScoped: boolean,
  rawFrom: number | null = null,
): Promise<MergedPoint[]> {
  const needed = new Set<Dimension>([
    ...asked.groupBy,
    ...(Object.keys(asked.filters) as Dimension[]).filter((d) => asked.filters[d]),
  ]);
  const cuboid = chooseCuboid(needed, tenantScoped);
  const minuteCuboid = chooseCuboid(needed, tenantScoped, true);
  // Hours are kept from hourFrom only by the cuboids that do not keep theirs as long as days, and
  // the small cuboids keep minutes longer than the others.
  const kept = {
    ...built,
    hourFrom: cuboid.longHours ? Number.NEGATIVE_INFINITY : built.hourFrom,
    minuteFrom: minuteCuboid.longMinutes ? built.longMinuteFrom : built.minuteFrom,
  };
  // A series keeps whole buckets at widened edges (each point names its own); other answers take
  // raw spans at them where they may.
  const { fromMs, toMs, edges } =
    asked.stepMs === undefined && rawFrom !== null
      ? rawEdgePlan(asked.window.from.getTime(), asked.window.to.getTime(), kept, rawFrom)
      : { ...alignWindow(asked.window.from.getTime(), asked.window.to.getTime(), kept), edges: [] };
  const q = { ...asked, stepMs: seriesStep(asked.stepMs, fromMs, kept) };
  const params = new Params();
  const project = params.add(q.projectId);
  const filters = filterSql(q.filters, params, (d) => d);
  const groupColumns = q.groupBy.join(', ');
  // Histograms are the wide part of a row (often out of line): read only those the answer needs.
  const wanted = (metric: 'latency' | 'ttft') =>
    (q.quantiles.length > 0 || q.thresholdOf === metric) &&
    (q.quantilesOf.includes(metric) || q.thresholdOf === metric);
  const unread = (c: string) =>
    (c === 'latency_hist' && !wanted('latency')) ||
    (c === 'ttft_hist' && !wanted('ttft')) ||
    (c === 'cost_hist' && q.thresholdOf !== 'cost');
  const inner = [...q.groupBy, 'bucket', ...ROLLUP_METRIC_COLUMNS]
    .map((c) => (unread(c) ? `null::bytea as ${c}` : c))
    .join(', ');
  const selects = planPieces(fromMs, toMs, kept, q.stepMs).map(
    (piece) =>
      `select ${inner} from ${piece.table} where project_id = ${project} and cuboid = ${params.add(piece.table === 'rollups_minute' ? minuteCuboid.id : cuboid.id)} and bucket >= ${params.add(new Date(piece.fromMs))} and bucket < ${params.add(new Date(piece.toMs))}${piece.table === 'rollups_minute' ? ' and not pending' : ''}${filters}`,
  );
  const edgeFilters = edges.length ? await spanFilterSql(client, q.projectId, q.filters, params.values) : '';
  const edgeSql = rawEdgeSql(edges, q, params, project, edgeFilters, unread);
  selects.push(...edgeSql.selects);
  // Deltas the compactor has not folded in yet, at any age (late spans too).
  selects.push(
    `select ${inner} from rollups_minute where project_id = ${project} and cuboid = 0 and pending and bucket >= ${params.add(new Date(fromMs))} and bucket < ${params.add(new Date(toMs))}${filters}`,
  );
  // date_bin is native timestamp arithmetic: several times cheaper per row than extract(epoch).
  const stepStart = q.stepMs
    ? `date_bin(${params.add(`${q.stepMs} milliseconds`)}::interval, bucket, ${params.add(new Date(fromMs))}::timestamptz)`
    : null;
  const step = stepStart
    ? `((extract(epoch from ${stepStart}) * 1000)::float8 - ${params.add(fromMs)}) / ${params.add(q.stepMs)}`
    : '0';
  // The step first, and ordered by its own expression rather than the computed step: the sorted
  // grouping then hands rows over in order, without a second sort (1,397 points: 11.9 -> 10.8 ms).
  const groupKeys = [...(stepStart ? [stepStart] : []), ...q.groupBy];
  const order = orderSql(q, q.groupBy, stepStart ?? 'step');
  const limit = q.limit && q.orderBy !== 'p95' ? ` limit ${params.add(q.limit)}` : '';
  // Counts summed in float8: exact below 2^53 and far cheaper than numeric aggregation. Cost is
  // summed as numeric (exact, and cheaper than casting every row to float8) and cast once. A group
  // whose deltas cancelled out is left out; one with usage and no calls (token and cost metrics) is not.
  const sql = `${edgeSql.ctes.length ? `with ${edgeSql.ctes.join(', ')} ` : ''}select ${groupColumns ? groupColumns + ', ' : ''}${step} as step,
      sum(span_count::float8) as span_count, sum(root_count::float8) as root_count, sum(error_count::float8) as error_count,
      sum(duration_sum_ms) as duration_sum_ms, sum(untimed_count::float8) as untimed_count, string_agg(latency_hist, ''::bytea) as latency_hist,
      sum(ttft_count::float8) as ttft_count, sum(ttft_sum_ms) as ttft_sum_ms, string_agg(ttft_hist, ''::bytea) as ttft_hist,
      sum(model_calls::float8) as model_calls, sum(priced_calls::float8) as priced_calls, string_agg(cost_hist, ''::bytea) as cost_hist,
      sum(input_tokens::float8) as input_tokens,
      sum(output_tokens::float8) as output_tokens, sum(cache_read_tokens::float8) as cache_read_tokens,
      sum(cache_write_tokens::float8) as cache_write_tokens, sum(reasoning_tokens::float8) as reasoning_tokens,
      sum(cost_usd)::float8 as cost_usd,
      sum(cache_hits::float8) as cache_hits, sum(cache_misses::float8) as cache_misses
    from (${selects.join('\n union all ')}) r
    ${groupKeys.length ? `group by ${groupKeys.join(', ')}` : ''}
    having sum(span_count::float8) <> 0 or sum(cost_usd) <> 0 or sum(input_tokens::float8 + output_tokens::float8) <> 0
    order by ${order}${limit}`;
  const { rows } = await client.query<AggregateRow>(sql, params.values);
  // Only the histograms read: a series has a thousand points or more.
  const histogram = (column: HistogramColumn, bytes: Buffer | null) => {
    if (unread(column)) return null;
    const merged = new LogHistogram();
    merged.mergeEncoded(bytes);
    return merged;
  };
  const points = rows.map((row) =>
    toPoint(
      row,
      q,
      fromMs,
      {
        latency: histogram('latency_hist', row.latency_hist),
        ttft: histogram('ttft_hist', row.ttft_hist),
        cost: histogram('cost_hist', row.cost_hist),
      },
      (h, quantile) => h.quantile(quantile),
    ),
  );
  return finish(points, q);
}

/** Exactly, from raw spans: percentile_cont over every span of the window. */
export async function metricsFromSpans(client: pg.ClientBase, q: ParsedMetricsQuery): Promise<MergedPoint[]> {
  const fromMs = q.window.from.getTime();
  const params = new Params();
  const filters = await spanFilterSql(client, q.projectId, q.filters, params.values);
  const groupColumns = q.groupBy.map((d) => `${rawDimension(d)} as ${d}`).join(', ');
  const step = q.stepMs
    ? `floor((extract(epoch from start_time) * 1000 - ${params.add(fromMs)}) / ${params.add(q.stepMs)})::int`
    : '0';
  const quantiles = params.add(q.quantiles);
  const groupBy = [...q.groupBy.map((_, i) => String(i + 1)), String(q.groupBy.length + 1)].join(', ');
  const sql = `select ${groupColumns ? groupColumns + ', ' : ''}${step} as step, count(*)::float8 as span_count,
      (count(*) filter (where parent_span_id is null))::float8 as root_count, (count(*) filter (where status = 'error'))::float8 as error_count,
      coalesce(sum(duration_ms), 0) as duration_sum_ms, (count(*) filter (where duration_ms is null))::float8 as untimed_count,
      percentile_cont(${quantiles}::float8[]) within group (order by duration_ms) as latency_q,
      count(ttft_ms)::float8 as ttft_count, coalesce(sum(ttft_ms), 0) as ttft_sum_ms,
      percentile_cont(${quantiles}::float8[]) within group (order by ttft_ms) as ttft_q,
      (count(*) filter (where category = 'model'))::float8 as model_calls,
      (count(cost_usd) filter (where category = 'model'))::float8 as priced_calls,
      coalesce(sum(input_tokens) filter (where category = 'model'), 0)::float8 as input_tokens,
      coalesce(sum(output_tokens) filter (where category = 'model'), 0)::float8 as output_tokens,
      coalesce(sum(cache_read_tokens) filter (where category = 'model'), 0)::float8 as cache_read_tokens,
      coalesce(sum(cache_write_tokens) filter (where category = 'model'), 0)::float8 as cache_write_tokens,
      coalesce(sum(reasoning_tokens) filter (where category = 'model'), 0)::float8 as reasoning_tokens,
      coalesce(sum(cost_usd) filter (where category = 'model'), 0) as cost_usd,
      (count(*) filter (where cache_hit))::float8 as cache_hits,
      (count(*) filter (where not cache_hit))::float8 as cache_misses
    from spans
    where project_id = ${params.add(q.projectId)} and start_time >= ${params.add(q.window.from)} and start_time < ${params.add(q.window.to)}${filters}
    group by ${groupBy}
    order by ${orderSql(
      q,
      q.groupBy.map((_, i) => String(i + 1)),
    )}
    ${q.limit && q.orderBy !== 'p95' ? `limit ${params.add(q.limit)}` : ''}`;
  const { rows } = await client.query<AggregateRow & { latency_q: number[] | null; ttft_q: (number | null)[] | null }>(
    sql,
    params.values,
  );
  const points = rows.map((row) =>
    toPoint(
      row,
      q,
      fromMs,
      { latency: null, ttft: null, cost: null },
      (_h, _quantile, index, metric) => (metric === 'latency' ? row.latency_q : row.ttft_q)?.[index] ?? null,
    ),
  );
  return finish(points, q);
}

function toPoint(
  row: AggregateRow,
  q: ParsedMetricsQuery,
  fromMs: number,
  { latency, ttft, cost }: Pick<MergedPoint, 'latency' | 'ttft' | 'cost'>,
  quantile: (h: LogHistogram, q: number, index: number, metric: 'latency' | 'ttft') => number | null,
): MergedPoint {
  const group: MetricsPoint['group'] = {};
  for (const d of q.groupBy) {
    const value = row[d] as string;
    group[d] = value === '' ? null : value;
  }
  // A series has a thousand points or more: plain loops, no intermediate arrays per point.
  const quantilesOf = (h: LogHistogram | null, metric: 'latency' | 'ttft', count: number) => {
    const out: Record<string, number | null> = {};
    if (!q.quantilesOf.includes(metric)) return out;
    for (let i = 0; i < q.quantiles.length; i++)
      out[quantileLabel(q.quantiles[i]!)] =
        count > 0 ? quantile(h ?? new LogHistogram(), q.quantiles[i]!, i, metric) : null;
    return out;
  };
  const spans = row.span_count;
  const timed = spans - row.untimed_count;
  const requests = row.root_count;
  const point: MetricsPoint = {
    group,
    // Undefined (left out of JSON) unless the answer is a series.
    bucket: q.stepMs !== undefined ? isoTime(fromMs + row.step * q.stepMs) : undefined,
    spans,
    requests,
    errors: row.error_count,
    errorRate: spans > 0 ? row.error_count / spans : null,
    latencyMs: {
      count: timed,
      mean: timed > 0 ? row.duration_sum_ms / timed : null,
      quantiles: quantilesOf(latency, 'latency', timed),
    },
    ttftMs: {
      count: row.ttft_count,
      mean: row.ttft_count > 0 ? row.ttft_sum_ms / row.ttft_count : null,
      quantiles: quantilesOf(ttft, 'ttft', row.ttft_count),
    },
    modelCalls: row.model_calls,
    pricedCalls: row.priced_calls,
    tokens: {
      input: row.input_tokens,
      output: row.output_tokens,
      cacheRead: row.cache_read_tokens,
      cacheWrite: row.cache_write_tokens,
      reasoning: row.reasoning_tokens,
    },
    costUsd: row.cost_usd,
    costPerRequest: requests > 0 ? row.cost_usd / requests : null,
    cache: cacheOf(row.cache_hits, row.cache_misses),
  };
  return { point, latency, ttft, cost };
}

/** Hits, misses and the hit ratio of the lookups that said: the one definition of a hit ratio. */
export function cacheOf(hits: number, misses: number): MetricsPoint['cache'] {
  const lookups = hits + misses;
  return { hits, misses, hitRatio: lookups > 0 ? hits / lookups : null };
}

/** The asked-for order, then the group keys: the same question always lists groups the same way. */
function orderSql(q: ParsedMetricsQuery, groupKeys: string[], stepKey = 'step'): string {
  const first = q.stepMs
    ? stepKey
    : q.orderBy === 'count'
      ? 'span_count desc'
      : q.orderBy === 'cost'
        ? 'cost_usd desc'
        : null;
  const keys = [...(first ? [first] : []), ...groupKeys];
  return keys.length ? keys.join(', ') : '1';
}

function finish(points: MergedPoint[], q: ParsedMetricsQuery): MergedPoint[] {
  if (q.orderBy !== 'p95' || q.stepMs) return points;
  // Each point's p95 once, the one the answer holds when it was asked for: the sort would otherwise
  // read a histogram at every comparison.
  const label = quantileLabel(0.95);
  const p95 = new Map(
    points.map((p) => {
      const answered = p.point.latencyMs.quantiles[label];
      return [p, (answered !== undefined ? answered : p.latency?.quantile(0.95)) ?? -1];
    }),
  );
  const sorted = points.sort((a, b) => p95.get(b)! - p95.get(a)!);
  return q.limit ? sorted.slice(0, q.limit) : sorted;
}

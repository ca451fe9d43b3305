// RollupAggregate.addSpan (rollup-rows.ts) in SQL, for the query planner's raw edges.

import { COST_HISTOGRAM_UNITS_PER_USD, type HistogramColumn, type MetricColumn } from './rollup-rows.ts';

/** The columns of `spans` that spanMetricSql's expressions read. */
export const SPAN_METRIC_INPUTS = [
  'parent_span_id',
  'status',
  'category',
  'duration_ms',
  'ttft_ms',
  'cost_usd',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cache_hit',
] as const;

/**
 * RollupAggregate.addSpan in SQL, over a row of `spans`: what one stored span adds to (sign 1) or
 * takes from (sign -1) each summed column, and the value each histogram counts it at (null: not
 * counted). The query planner takes raw spans out of or adds them to the rollups at a window's
 * edges with it (plan.ts, rawEdgePlan); core/test/minute-retention.test.ts checks those answers
 * against raw spans.
 */
export function spanMetricSql(sign: 1 | -1): {
  sums: Record<Exclude<MetricColumn, HistogramColumn>, string>;
  histogramValues: Record<HistogramColumn, string>;
} {
  const n = (expr: string) => (sign === 1 ? `(${expr})` : `-(${expr})`);
  const usage = (column: string) => n(`case when category = 'model' then coalesce(${column}, 0) else 0 end`);
  const priced = `category = 'model' and cost_usd is not null`;
  return {
    sums: {
      span_count: n('1'),
      root_count: n('(parent_span_id is null)::int'),
      error_count: n(`(status = 'error')::int`),
      duration_sum_ms: n('coalesce(duration_ms, 0)'),
      untimed_count: n('(duration_ms is null)::int'),
      ttft_count: n('(ttft_ms is not null)::int'),
      ttft_sum_ms: n('coalesce(ttft_ms, 0)'),
      priced_calls: n(`(${priced})::int`),
      model_calls: n(`(category = 'model')::int`),
      input_tokens: usage('input_tokens'),
      output_tokens: usage('output_tokens'),
      cache_read_tokens: usage('cache_read_tokens'),
      cache_write_tokens: usage('cache_write_tokens'),
      reasoning_tokens: usage('reasoning_tokens'),
      cost_usd: usage('cost_usd'),
      cache_hits: n('(cache_hit is true)::int'),
      cache_misses: n('(cache_hit is false)::int'),
    },
    histogramValues: {
      latency_hist: 'duration_ms',
      ttft_hist: 'ttft_ms',
      cost_hist: `case when ${priced} then (cost_usd * ${COST_HISTOGRAM_UNITS_PER_USD})::float8 end`,
    },
  };
}

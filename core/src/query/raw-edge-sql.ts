// The SQL of rawEdgePlan's edges, to go beside a rollup answer's rows: each edge's raw spans read
// once (a CTE), summed per group, and counted per group and histogram bucket: ln() once per span,
// and a few hundred (key, count) pairs instead of one per span. Signed as the plan says: taken out
// of the hour read, or added where the hour is left out.

import { histogramKeySql, histogramPairSql } from '../histogram/log-histogram-sql.ts';
import { HISTOGRAM_COLUMNS, type HistogramColumn, ROLLUP_METRIC_COLUMNS } from '../rollups/rollup-rows.ts';
import { SPAN_METRIC_INPUTS, spanMetricSql } from '../rollups/span-metric-sql.ts';
import { type Params, rawDimension } from './metric-sql.ts';
import type { RawEdge } from './plan.ts';
import type { ParsedMetricsQuery } from './schemas.ts';

const isHistogram = (c: string): c is HistogramColumn => (HISTOGRAM_COLUMNS as readonly string[]).includes(c);

/**
 * The CTEs and the rows (in the rollup rows' columns: group keys, bucket, metrics) of the edges;
 * `rawFilters` is the filters' SQL on spans (spanFilterSql), `unread` names the histograms the
 * answer does not read.
 */
export function rawEdgeSql(
  edges: readonly RawEdge[],
  q: Pick<ParsedMetricsQuery, 'groupBy'>,
  params: Params,
  project: string,
  rawFilters: string,
  unread: (column: HistogramColumn) => boolean,
): { ctes: string[]; selects: string[] } {
  const ctes: string[] = [];
  const selects: string[] = [];
  if (edges.length === 0) return { ctes, selects };
  const columns = [
    ...q.groupBy.map((d) => `${rawDimension(d)} as ${d}`),
    ...SPAN_METRIC_INPUTS.filter((c) => !(q.groupBy as string[]).includes(c)),
  ].join(', ');
  const keys = q.groupBy.map((d) => `${d}, `).join('');
  const grouped = (extra: string[] = []) =>
    [...q.groupBy, ...extra].length ? ` group by ${[...q.groupBy, ...extra].join(', ')}` : '';
  const row = (value: (c: (typeof ROLLUP_METRIC_COLUMNS)[number]) => string) =>
    ROLLUP_METRIC_COLUMNS.map((c) => `${value(c)} as ${c}`).join(', ');
  for (const [i, edge] of edges.entries()) {
    const name = `edge_${i}`;
    const { sums, histogramValues } = spanMetricSql(edge.sign);
    ctes.push(
      `${name} as (select ${columns} from spans where project_id = ${project} and start_time >= ${params.add(new Date(edge.fromMs))} and start_time < ${params.add(new Date(edge.toMs))}${rawFilters})`,
    );
    selects.push(
      `select ${keys}null::timestamptz as bucket, ${row((c) => (isHistogram(c) ? 'null::bytea' : `sum(${sums[c]})`))} from ${name}${grouped()}`,
    );
    for (const histogram of HISTOGRAM_COLUMNS) {
      if (unread(histogram)) continue;
      selects.push(
        `select ${keys}null::timestamptz as bucket, ${row((c) =>
          c === histogram
            ? histogramPairSql('k', edge.sign === 1 ? 'count(*)' : '-count(*)')
            : isHistogram(c)
              ? 'null::bytea'
              : '0',
        )} from (select ${keys}${histogramKeySql(histogramValues[histogram])} as k from ${name}) v where k is not null${grouped(['k'])}`,
      );
    }
  }
  return { ctes, selects };
}

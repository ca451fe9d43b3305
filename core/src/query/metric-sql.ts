// What the metrics reads' SQL shares: numbered parameters, dimension filters, and a dimension of a
// raw span as rollups store it.

import type { Dimension } from '../rollups/cuboids.ts';
import type { ParsedMetricsQuery, RawDimension } from './schemas.ts';

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function filterSql(
  filters: ParsedMetricsQuery['filters'],
  params: Params,
  column: (d: Dimension) => string,
): string {
  let sql = '';
  for (const [dimension, values] of Object.entries(filters)) {
    if (values) sql += ` and ${column(dimension as Dimension)} = any(${params.add(values)}::text[])`;
  }
  return sql;
}

/** A dimension of a `spans` row as rollups store it: '' where the span has none. */
export function rawDimension(d: RawDimension): string {
  return d === 'tenant_id' || d === 'service_name' || d === 'category' || d === 'status' ? d : `coalesce(${d}, '')`;
}

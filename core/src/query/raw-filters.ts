// Filters on raw spans, for the answers that read `spans` itself (exact metrics, SLI counts,
// samples, trace lists, the raw edges of a rollup answer). Dimension columns are nullable there;
// '' matches null.

import type pg from 'pg';
import { DIMENSION_COLUMNS } from '../spans/columns.ts';
import { rawDimension } from './metric-sql.ts';
import type { RawDimension } from './schemas.ts';

type Filters = Readonly<Record<string, readonly string[] | undefined>>;

const IN_COMBINATION = new Set<string>(DIMENSION_COLUMNS);

/** A column's filter by value: '' matches null (rawDimension). */
function valueFilter(column: string, placeholder: string): string {
  return ` and ${rawDimension(column as RawDimension)} = any(${placeholder}::text[])`;
}

/**
 * Filters by value, for a view that has the dimensions' values and not their codes
 * (model_call_costs).
 */
export function valueFilterSql(filters: Filters, params: unknown[]): string {
  let where = '';
  for (const [column, values] of Object.entries(filters)) {
    if (!values) continue;
    params.push(values);
    where += valueFilter(column, `$${params.length}`);
  }
  return where;
}

/**
 * Filters on `spans`. The filters on its dimension combinations' columns (all but the tenant)
 * become one `dimensions = any(codes)`: the codes of the project's combinations that pass them all,
 * read here once (a few hundred rows) and sent as one int[] parameter, which Postgres plans as a
 * constant and hashes. Each span then costs a hash probe, where filtering the view's columns joined
 * every span to its combination (one day's error traces at 10M spans: 56 ms median joined, 17.5 by
 * codes, most of it reading the 50 traces' spans; bench:query).
 */
export async function spanFilterSql(
  client: pg.ClientBase,
  projectId: string,
  filters: Filters,
  params: unknown[],
): Promise<string> {
  let where = '';
  const combination: string[] = [];
  const lookup: unknown[] = [projectId];
  for (const [column, values] of Object.entries(filters)) {
    if (!values) continue;
    if (IN_COMBINATION.has(column)) {
      lookup.push(values);
      combination.push(valueFilter(column, `$${lookup.length}`));
    } else {
      params.push(values);
      where += valueFilter(column, `$${params.length}`);
    }
  }
  if (combination.length === 0) return where;
  const { rows } = await client.query<{ codes: number[] }>(
    `select coalesce(array_agg(code), '{}') as codes from span_dimensions where project_id = $1${combination.join('')}`,
    lookup,
  );
  params.push(rows[0]!.codes);
  return `${where} and dimensions = any($${params.length}::int[])`;
}

/** The filters narrowed to failed spans: status 'error', and any status filter given besides. */
export function errorsOnly<F extends Filters>(filters: F): F {
  return { ...filters, status: (filters.status ?? ['error']).filter((s) => s === 'error') };
}

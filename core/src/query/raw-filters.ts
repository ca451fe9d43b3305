// Filters on raw spans, for the answers that read `spans` itself (exact metrics, SLI counts,
// samples, trace lists). Dimension columns are nullable there; '' matches null.

/** Filters on raw spans (dimension columns are nullable there; '' matches null). */
export function rawFilterSql(filters: Record<string, string[] | undefined>, params: unknown[]): string {
  let where = '';
  for (const [dimension, values] of Object.entries(filters)) {
    if (!values) continue;
    params.push(values);
    where += ` and coalesce(${dimension}, '') = any($${params.length}::text[])`;
  }
  return where;
}

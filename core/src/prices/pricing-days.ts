// pricing_days: which catalog priced each project-day (see the migration). One writer for ingest
// and for re-pricing.

import type pg from 'pg';

export interface PricingDay {
  projectId: string;
  /** Start of the UTC day, epoch ms. */
  dayMs: number;
  catalog: string;
}

/** Ingest adds the catalog it priced with to each day; a re-price makes it the day's only one. */
export async function recordPricingDays(
  client: pg.ClientBase,
  days: readonly PricingDay[],
  source: 'ingest' | 'reprice',
): Promise<void> {
  if (days.length === 0) return;
  const projects = days.map((d) => d.projectId);
  const dates = days.map((d) => new Date(d.dayMs).toISOString().slice(0, 10));
  const catalogs = days.map((d) => d.catalog);
  if (source === 'reprice')
    await client.query(
      `delete from pricing_days p using unnest($1::uuid[], $2::date[]) as d(project_id, day)
        where p.project_id = d.project_id and p.day = d.day`,
      [projects, dates],
    );
  await client.query(
    `insert into pricing_days (project_id, day, catalog, source)
     select project_id, day, catalog, $4 from unnest($1::uuid[], $2::date[], $3::text[]) as d(project_id, day, catalog)
     on conflict (project_id, day, catalog) do update set source = excluded.source, priced_at = now()`,
    [projects, dates, catalogs, source],
  );
}

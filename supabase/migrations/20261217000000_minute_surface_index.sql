-- Cuboid 0's minute rows by surface (issue 16, `npm run bench:query`). A surface's burn-rate SLIs
-- and time budgets read cuboid 0 at minute grain, the only minute cuboid that keeps the surface,
-- and its scan index (project, cuboid, bucket, category) walked every row of every minute and
-- fetched it to check the surface: 725 rows a minute at the 50M-span bench, about 58k for an
-- hour's window, to keep a fifth of them. With this index the scan starts at the surface.
-- Measured on that dataset: a 60-minute SLI p95 46 -> 26 ms, a 360-minute one 51 -> 35 ms; the
-- index takes 34 MB there (its keys repeat, and Postgres stores a repeated key once). A cuboid of
-- surfaces across tenants, its minutes kept 8 days, answered faster still (p95 4.7 and 5.9 ms at
-- 10M spans) but took 26 bytes per span at 10M, of the 400 the storage goal allows.
-- Only cuboid 0's partition: no other minute cuboid keeps the surface.

create index if not exists rollups_minute_c0_surface_idx on public.rollups_minute_c0 (project_id, surface, bucket);
